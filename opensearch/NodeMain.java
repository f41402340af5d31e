import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Runs ONE OpenSearch node in this JVM (bin/opensearch starts one JVM per node).
 *
 * <p>usage: {@code NodeMain <basePath> <node-settings.yml>}. The settings in the yml are loaded
 * before the runner fills in its defaults, so they win (node.name, ports, cluster.name, roles).
 * The node's home is {@code <basePath>/node_1} (config/, data/, logs/).
 *
 * <p>Unlike the runner's own main, a failure to start is not swallowed: the stack trace is
 * printed and the JVM exits with status 1, so the caller sees the node is gone.
 */
public class NodeMain {
    public static void main(final String[] args) {
        if (args.length != 2) {
            System.err.println("usage: NodeMain <basePath> <node-settings.yml>");
            System.exit(2);
        }
        final Path yml = Paths.get(args[1]);
        final OpenSearchRunner runner = new OpenSearchRunner();
        // SIGTERM/SIGINT: close the node cleanly (flushes shards, leaves the cluster) before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException e) {
                e.printStackTrace();
            }
        }));
        runner.onBuild((index, builder) -> {
            try {
                builder.loadFromPath(yml);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            runner.build("-basePath", args[0], "-numOfNode", "1");
            while (!runner.isClosed()) {
                Thread.sleep(1000);
            }
        } catch (final Throwable e) {
            e.printStackTrace();
            // exit() rather than return: a half-started node may hold non-daemon threads.
            System.exit(1);
        }
    }
}
