package responder.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch node on 127.0.0.1 with the Netty 4 HTTP transport loaded from the
 * classpath, prints {@code listening http://127.0.0.1:PORT} on stdout once it accepts requests,
 * and stops when its standard input closes or it receives SIGTERM. The parent process keeps
 * stdin open for as long as it wants the node, so a parent that dies takes the node with it.
 *
 * <p>Usage: {@code java -cp ... responder.opensearch.LoopbackNode HOME_DIR [HTTP_PORT]}, where
 * HTTP_PORT 0 (the default) lets the operating system pick a free port.
 */
public final class LoopbackNode extends Node {
    private LoopbackNode(Environment environment) {
        // The protected constructor takes plugins as classes, so no plugins/ folder and no
        // per-plugin jar-hell or security-policy checks are involved.
        super(environment, List.of(Netty4Plugin.class), true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LoopbackNode HOME_DIR [HTTP_PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args.length == 2 ? args[1] : "0";
        Files.createDirectories(home.resolve("config"));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("cluster.name", "responder-test")
            .put("node.name", "loopback")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", "0")
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("discovery.type", "single-node")
            // A nearly full disk would otherwise turn every index read-only mid-test.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Environment environment =
            InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "loopback");

        Node node = new LoopbackNode(environment);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(node), "node-close"));
        node.start();

        TransportAddress http =
            node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        System.out.println("listening http://" + http.getAddress() + ":" + http.getPort());
        System.out.flush();

        waitForEndOfInput(System.in);
        System.exit(0);
    }

    private static void waitForEndOfInput(InputStream input) throws IOException {
        byte[] buffer = new byte[256];
        while (input.read(buffer) >= 0) {
            // Anything written to stdin is ignored; only its end matters.
        }
    }

    private static void closeQuietly(Node node) {
        try {
            node.close();
        } catch (IOException | RuntimeException error) {
            // The JVM is exiting either way; the message is the only trace left of the failure.
            System.err.println("closing the node failed: " + error);
        }
    }
}
