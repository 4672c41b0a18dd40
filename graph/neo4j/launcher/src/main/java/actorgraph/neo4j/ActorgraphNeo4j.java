package actorgraph.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.security.AuthenticationResult;
import org.neo4j.kernel.api.security.AuthManager;
import org.neo4j.kernel.api.security.AuthToken;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.internal.Version;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;
import org.neo4j.server.configuration.ConfigurableServerModules;
import org.neo4j.server.configuration.ServerSettings;

/**
 * A Neo4j Community DBMS embedded in this process and reachable over Bolt.
 *
 * <p>Usage: {@code java actorgraph.neo4j.ActorgraphNeo4j --home DIR [--host 127.0.0.1]
 * [--port 7687] [--http-port 0] [--pagecache 2g] [--tx-memory 1g] [--tx-memory-total 2g]}; credentials come from
 * the environment (NEO4J_USER, NEO4J_PASSWORD, both required: there is no default password) so they never show
 * up in {@code ps}.
 *
 * <p>{@code --http-port N} (not 0) also opens the HTTP connector on the same host, serving Neo4j Browser only
 * (when its jar is on the classpath) and the discovery document that tells it where Bolt is: no transactional
 * HTTP endpoint, no Query API, no telemetry.
 *
 * <p>DIR is the Neo4j home: databases and transaction logs go under DIR/data,
 * Neo4j's debug.log under DIR/logs, and DIR/neo4j.pid holds our pid while we run.
 * The user log goes to stdout, which the Python launcher appends to DIR/neo4j.log.
 */
public final class ActorgraphNeo4j {
    /** Printed once Bolt is up and the credentials are in place; the launcher waits for it. */
    static final String READY = "actorgraph-neo4j: ready";
    /** Set by the shutdown hook: a start-up that fails from then on was simply stopped. */
    static volatile boolean stopping;

    public static void main(String[] args) throws InterruptedException {
        try {
            start(args);
        } catch (Throwable e) {
            if (stopping) {
                System.out.println("actorgraph-neo4j: start-up interrupted by a stop request");
                return; // the shutdown hook is finishing the job
            }
            e.printStackTrace(System.out);
            // One line, last, so the log tail the launcher shows explains the failure.
            System.out.println("actorgraph-neo4j: failed to start: " + summary(e));
            System.exit(1); // runs the shutdown hook, which closes whatever was started
        }
        new CountDownLatch(1).await(); // serve until SIGTERM/SIGINT runs the shutdown hook
    }

    static void start(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        Path home = Path.of(require(opts, "--home")).toAbsolutePath();
        String host = opts.getOrDefault("--host", "127.0.0.1");
        int port = Integer.parseInt(opts.getOrDefault("--port", "7687"));
        int httpPort = Integer.parseInt(opts.getOrDefault("--http-port", "0"));
        long pagecache = SettingValueParsers.BYTES.parse(opts.getOrDefault("--pagecache", "2g"));
        long txMemory = SettingValueParsers.BYTES.parse(opts.getOrDefault("--tx-memory", "1g"));
        long txMemoryTotal = SettingValueParsers.BYTES.parse(opts.getOrDefault("--tx-memory-total", "2g"));
        String user = env("NEO4J_USER", "neo4j");
        String password = env("NEO4J_PASSWORD", null);
        if (password == null) {
            throw new IllegalArgumentException("NEO4J_PASSWORD is not set: there is no default password");
        }

        Files.createDirectories(home);
        Path pidFile = home.resolve("neo4j.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");

        // The hook is registered before build() so that a SIGTERM during start-up
        // waits for the stores to be open and then closes them cleanly.
        AtomicReference<DatabaseManagementService> dbms = new AtomicReference<>();
        CountDownLatch built = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            awaitQuietly(built);
            DatabaseManagementService service = dbms.get();
            if (service != null) {
                System.out.println("actorgraph-neo4j: shutting down");
                service.shutdown(); // checkpoints and closes the stores
            }
            deleteQuietly(pidFile);
            System.out.println("actorgraph-neo4j: stopped");
        }, "actorgraph-neo4j-shutdown"));

        try {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
            if (httpPort != 0) {
                browser(builder, host, httpPort);
            }
            dbms.set(builder
                    .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(advertised(host), port))
                    // While a request runs the server sends a keep-alive every second, and it tells drivers
                    // (hint connection.recv_timeout_seconds = interval x probes) to give up on a connection
                    // silent for 3 s: a client of a hung server fails in seconds, not after the default 2 min,
                    // while a long query that is really running keeps its connection alive.
                    .setConfig(BoltConnector.connection_keep_alive_type, BoltConnector.KeepAliveRequestType.ALL)
                    .setConfig(BoltConnector.connection_keep_alive, Duration.ofSeconds(1))
                    .setConfig(BoltConnector.connection_keep_alive_probes, 3)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                    // One query may not take the server down: a transaction that needs more
                    // memory than this fails with a MemoryLimitExceeded error instead of an
                    // OutOfMemoryError that leaves the JVM (and its time limits) unwell.
                    .setConfig(GraphDatabaseSettings.memory_tracking, true)
                    .setConfig(GraphDatabaseSettings.memory_transaction_max_size, txMemory)
                    .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, txMemoryTotal)
                    // No usage reports from a local development database.
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    // LOAD CSV reads neither this machine's files nor any address: a read-only
                    // query (the explorer's console, kg query) must not reach past the graph.
                    .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                    .setConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist,
                            List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0")))
                    // Transaction logs beyond recovery's needs are kept up to this size, not
                    // Neo4j's default of two days (gigabytes after a few big reloads).
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "256M size")
                    // Bolt otherwise idles 5s + 5s at shutdown even with no client left,
                    // which every stop (and every test restart) would pay.
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                    .build());
        } finally {
            built.countDown();
        }
        ensureUser(dbms.get().database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), user, password);
        System.out.printf("%s neo4j %s bolt://%s:%d home %s pid %d%s%n", READY, Version.getNeo4jVersion(),
                host, port, home, ProcessHandle.current().pid(), httpPort != 0 ? " http port " + httpPort : "");
    }

    /**
     * What the Browser page may load and reach: this server only (its files, and Bolt over WebSocket). Neo4j's
     * default also allows Segment, Canny, Sentry and Google Fonts; offline they fail anyway, online they would
     * report usage from an analyst's machine, so the page is not even allowed to try.
     */
    static final String BROWSER_CSP = "default-src 'self'; script-src 'self'; img-src 'self' data:; "
            + "style-src 'self' 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; object-src 'none'; "
            + "frame-ancestors 'none'; connect-src 'self' ws: wss:";

    /**
     * The HTTP connector for Neo4j Browser: listening where Bolt does, advertising Bolt's address (the page
     * reads it from the discovery document; without it the Browser tries port 7687), serving the Browser
     * module only (no transactional HTTP endpoint, no Query API), sending no usage data and loading nothing
     * from elsewhere.
     */
    static void browser(DatabaseManagementServiceBuilder builder, String host, int httpPort)
            throws java.net.UnknownHostException {
        builder.setConfig(HttpConnector.enabled, true)
                .setConfig(HttpConnector.listen_address, new SocketAddress(host, httpPort))
                .setConfig(HttpConnector.advertised_address, new SocketAddress(advertised(host), httpPort))
                .setConfig(ServerSettings.http_enabled_modules, Set.of(ConfigurableServerModules.BROWSER))
                .setConfig(ServerSettings.allow_telemetry, false)
                .setConfig(ServerSettings.browser_remote_content_hostname_whitelist, "localhost")
                .setConfig(ServerSettings.http_static_content_security_policy, BROWSER_CSP)
                .setConfig(ServerSettings.http_access_control_allow_origin,
                        "http://" + hostPort(advertised(host), httpPort))
                .setConfig(ServerSettings.http_logging_enabled, false);
    }

    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Makes NEO4J_PASSWORD the password of NEO4J_USER on every start, so the
     * environment stays the single source of truth (like NEO4J_AUTH in Docker,
     * but also after the first start). Embedded transactions run with full
     * rights, which is what lets us administer users before any Bolt login.
     */
    static void ensureUser(GraphDatabaseService system, String user, String password) {
        if (loginWorks(system, user, password)) {
            return; // the steady state, told in milliseconds: the Cypher below costs a cold server 2.3 s
        }
        Map<String, Object> params = Map.of("user", user, "password", password);
        boolean exists = system.executeTransactionally(
                "SHOW USERS YIELD user WHERE user = $user RETURN count(*) AS n", params,
                result -> ((Number) result.next().get("n")).longValue() > 0);
        if (!exists) {
            system.executeTransactionally("CREATE USER $user SET PASSWORD $password CHANGE NOT REQUIRED", params);
            System.out.println("actorgraph-neo4j: created user " + user);
            return;
        }
        try {
            system.executeTransactionally("ALTER USER $user SET PASSWORD $password CHANGE NOT REQUIRED", params);
            System.out.println("actorgraph-neo4j: set the password of user " + user);
        } catch (QueryExecutionException e) {
            // Neo4j refuses to "change" a password to its current value; that is our steady state.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    /**
     * Whether USER logs in with PASSWORD already (and needs no password change), asked of the server's own
     * authentication, as a Bolt login would be. Any doubt (an API that moved) answers no: the Cypher then
     * makes it so.
     */
    static boolean loginWorks(GraphDatabaseService system, String user, String password) {
        try {
            AuthManager auth = ((GraphDatabaseAPI) system).getDependencyResolver().resolveDependency(AuthManager.class);
            return auth.login(AuthToken.newBasicAuthToken(user, password), ClientConnectionInfo.EMBEDDED_CONNECTION)
                    .subject().getAuthenticationResult() == AuthenticationResult.SUCCESS;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /**
     * What neo4j:// routing tables tell clients to dial. Neo4j rejects a wildcard
     * here; for a server listening everywhere this machine's name is the best bet.
     */
    static String advertised(String host) throws java.net.UnknownHostException {
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return wildcard ? java.net.InetAddress.getLocalHost().getHostName() : host;
    }

    /** The exception and, when it says something else, its root cause. */
    static String summary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        boolean same = root == e || String.valueOf(root.getMessage()).equals(String.valueOf(e.getMessage()));
        return same ? e.toString() : e + " <- " + root;
    }

    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value pairs, got " + String.join(" ", args));
            }
            opts.put(args[i], args[i + 1]);
        }
        return opts;
    }

    static String require(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (Exception ignored) {
            // a stale pid file is detected (process gone) and removed by the launcher
        }
    }
}
