/** Entry point of the workflow bundle: every workflow the response worker registers. */
export { malSecLogonResponse } from './malseclogon';
export { alertPoller } from './alert-poller';
