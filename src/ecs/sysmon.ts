/**
 * ECS fields for Sysmon events, following the Winlogbeat sysmon module and the Elastic Agent
 * windows.sysmon_operational pipeline: `process.*` is the acting process (the source for event
 * 10), and every EventData value also stays verbatim under `winlog.event_data`.
 */
import type { JsonRecord } from '../alert/fields';
import { baseName } from '../alert/identifiers';
import {
  dataEntityId,
  dataNumber,
  dataText,
  parseHashes,
  processFields,
  splitAccount,
  type EcsFragment,
} from './event-values';

/** Maps the EventData of a Sysmon event to ECS fields, by event id. Unknown ids map to `other`. */
export function mapSysmonEvent(eventId: string, data: JsonRecord): EcsFragment {
  if (eventId === '1') return mapProcessCreate(data);
  if (eventId === '10') return mapProcessAccess(data);
  if (eventId === '11') return mapFileCreate(data);
  return {
    event: { category: ['other'], type: ['info'] },
    process: processFields(
      dataText(data, 'Image'),
      dataNumber(data, 'ProcessId'),
      dataEntityId(data, 'ProcessGuid'),
    ),
    user: splitAccount(dataText(data, 'User')),
  };
}

function mapProcessCreate(data: JsonRecord): EcsFragment {
  const image = dataText(data, 'Image');
  const parentImage = dataText(data, 'ParentImage');
  return {
    event: { category: ['process'], type: ['start'] },
    process: {
      ...processFields(image, dataNumber(data, 'ProcessId'), dataEntityId(data, 'ProcessGuid')),
      command_line: dataText(data, 'CommandLine'),
      working_directory: dataText(data, 'CurrentDirectory'),
      hash: parseHashes(dataText(data, 'Hashes')),
      parent: {
        ...processFields(
          parentImage,
          dataNumber(data, 'ParentProcessId'),
          dataEntityId(data, 'ParentProcessGuid'),
        ),
        command_line: dataText(data, 'ParentCommandLine'),
      },
    },
    user: splitAccount(dataText(data, 'User')),
  };
}

function mapProcessAccess(data: JsonRecord): EcsFragment {
  return {
    event: { category: ['process'], type: ['access'] },
    process: {
      ...processFields(
        dataText(data, 'SourceImage'),
        dataNumber(data, 'SourceProcessId'),
        dataEntityId(data, 'SourceProcessGUID'),
      ),
      thread: { id: dataNumber(data, 'SourceThreadId') },
    },
    user: splitAccount(dataText(data, 'SourceUser')),
  };
}

function mapFileCreate(data: JsonRecord): EcsFragment {
  const path = dataText(data, 'TargetFilename');
  const name = path === undefined ? undefined : baseName(path);
  return {
    event: { category: ['file'], type: ['creation'] },
    file: { path, name, extension: extensionOf(name) },
    process: processFields(
      dataText(data, 'Image'),
      dataNumber(data, 'ProcessId'),
      dataEntityId(data, 'ProcessGuid'),
    ),
    user: splitAccount(dataText(data, 'User')),
  };
}

/**
 * Returns the last extension without the dot, lower case (`lsass.DMP` → `dmp`), so that queries
 * compare one spelling. `file.name` and `file.path` keep the original case.
 */
function extensionOf(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
}
