// Test-harness launcher: one Elasticsearch 7.10.2 node inside a plain JVM, no distribution.
//
// Usage (tests/harness/elasticsearch.py builds the command line):
//   java <jvm flags> -cp '<cache>/elasticsearch-7.10.2/lib/*' EsNode key=value [key=value ...]
// Each argument is one node setting (path.home, http.port, ...). When the node is up it
// prints one line "EsNode ready http=<host:port> transport=<host:port>" on stdout; SIGTERM
// closes the node (flushes shards) and exits.
//
// Why a subclass: the released jar has no network layer of its own; the public Node
// constructor only loads plugins from <path.home>/plugins and /modules, which we do not
// have. The protected constructor takes plugin classes from the classpath instead, so we
// hand it Netty4Plugin. Nothing else in the distribution (bootstrap checks, SecurityManager,
// JarHell, the native launcher) runs in this path.

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.Netty4Plugin;
import org.elasticsearch.transport.TransportService;

public final class EsNode extends Node {

    private EsNode(Environment env) {
        // false: do not forbid private index settings (ES's own test nodes pass the same).
        super(env, List.of(Netty4Plugin.class), false);
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("EsNode: expected key=value, got: " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        String nodeName = settings.get("node.name", "cadence-py-es");
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                settings, Map.of(), null, () -> nodeName);

        EsNode node = new EsNode(env);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
                LogManager.shutdown();  // log4j's own hook is off (-Dlog4j2.shutdownHookEnabled=false)
            }
        }, "esnode-shutdown"));

        try {
            node.start();
        } catch (Throwable t) {
            // Some node threads may already run: exit explicitly (the hook closes the node).
            t.printStackTrace();
            System.exit(1);
        }
        String http = node.injector().getInstance(HttpServerTransport.class)
                .boundAddress().publishAddress().toString();
        String transport = node.injector().getInstance(TransportService.class)
                .boundAddress().publishAddress().toString();
        System.out.println("EsNode ready http=" + http + " transport=" + transport);
        System.out.flush();
        // All of ES's threads are daemons: keep the JVM alive until the shutdown hook ran.
        closed.await();
    }
}
