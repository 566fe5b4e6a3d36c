package io.distillguard.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.distillguard.store.AccountRepository;
import io.distillguard.store.AlertLog;
import io.distillguard.store.Analytics;
import io.distillguard.store.AuditLog;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.ClusterRepository;
import io.distillguard.store.ExchangeRepository;
import io.distillguard.store.KeyRepository;
import io.distillguard.store.RateUsage;
import io.distillguard.store.ReviewLog;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.Store;
import io.distillguard.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A {@link Store} over JDBC. {@link #openSqlite(Path)} is the embedded deployment, {@link #openPostgres} the shared
 * server of many gateway nodes; {@link #open(DataSource, Dialect)} takes any pooled data source. Either way the schema
 * is migrated to the newest version before the store is returned (Flyway takes a lock in the database, so nodes
 * starting together migrate once).
 */
public final class JdbcStore implements Store {

  /** The database file inside the data directory. */
  public static final String SQLITE_FILE = "distillguard.db";

  /**
   * Small on purpose: SQLite admits one writer at a time, so more connections only add readers waiting for nothing
   * and memory per connection (page cache).
   */
  static final int SQLITE_POOL_SIZE = 4;

  /** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
  static final int SQLITE_BUSY_TIMEOUT_MILLIS = 15_000;

  /** The journal checkpoint of a store that serves one node (SQLite, or a server database given no node name). */
  public static final String DEFAULT_JOURNAL = "default";

  /**
   * A gateway node's connections to PostgreSQL and how long a caller waits for one.
   *
   * @param url               {@code jdbc:postgresql://host:port/database}; never logged with its query string, which
   *                          may carry credentials
   * @param user              may be null when the URL or the server's authentication names none
   * @param password          may be null; never logged
   * @param poolSize          connections held (the exchange log, detection's recorders, linkage, the admin API and
   *                          the rate-limit sync use them from their own threads, never from the event loop)
   * @param connectionTimeout longest wait for a connection before a call fails with a StoreException
   * @param node              the gateway node this store serves; names its exchange-journal checkpoint, which is
   *                          the node's own (each node has its own journal)
   */
  public record PostgresSettings(String url, String user, String password, int poolSize, Duration connectionTimeout,
      String node) {
    public static final int DEFAULT_POOL_SIZE = 8;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    public PostgresSettings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(connectionTimeout, "connectionTimeout");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): "
            + redact(url));
      }
      if (poolSize < 1) {
        throw new IllegalArgumentException("pool size must be at least 1");
      }
      if (connectionTimeout.toMillis() < 250) {
        throw new IllegalArgumentException("connection timeout must be at least 250ms");
      }
      if (node == null || node.isBlank()) {
        node = DEFAULT_JOURNAL;
      }
    }

    public PostgresSettings(String url, String user, String password) {
      this(url, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_JOURNAL);
    }

    public PostgresSettings(String url, String user, String password, int poolSize, Duration connectionTimeout) {
      this(url, user, password, poolSize, connectionTimeout, DEFAULT_JOURNAL);
    }

    @Override
    public String toString() {
      return "PostgresSettings[url=" + redact(url) + ", user=" + user + ", poolSize=" + poolSize + ", node=" + node
          + "]";
    }
  }

  private final DataSource dataSource;
  private final AccountRepository accounts;
  private final KeyRepository keys;
  private final ExchangeRepository exchanges;
  private final AuditLog audit;
  private final AlertLog alerts;
  private final RiskHistory risks;
  private final ReviewLog reviews;
  private final CaseFileLog cases;
  private final Analytics analytics;
  private final ClusterRepository clusters;
  private final RateUsage rateUsage;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Dialect dialect;

  private JdbcStore(DataSource dataSource, Dialect dialect, String journal) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    Jdbc jdbc = new Jdbc(dataSource, dialect);
    this.clusters = new JdbcClusterRepository(jdbc);
    this.rateUsage = new JdbcRateUsage(jdbc);
    this.accounts = new JdbcAccountRepository(jdbc);
    this.keys = new JdbcKeyRepository(jdbc);
    this.exchanges = new JdbcExchangeRepository(jdbc, journal);
    this.audit = new JdbcAuditLog(jdbc);
    this.alerts = new JdbcAlertLog(jdbc);
    this.risks = new JdbcRiskHistory(jdbc);
    this.reviews = new JdbcReviewLog(jdbc);
    this.cases = new JdbcCaseFileLog(jdbc);
    this.analytics = new JdbcAnalytics(jdbc);
  }

  /**
   * Opens (creating when absent) {@code dataDir/distillguard.db}, creating {@code dataDir} too, and migrates it.
   *
   * <p>Every pooled connection runs in WAL mode (readers never block the writer), with {@code synchronous=NORMAL}
   * (in WAL mode a power loss can lose the last commits but never corrupts the file; the gateway's journal replays
   * lost exchange batches), a busy timeout of {@value #SQLITE_BUSY_TIMEOUT_MILLIS} ms, and foreign keys enforced
   * (SQLite leaves them off unless each connection asks).
   *
   * @throws StoreException when the directory cannot be created or the database cannot be opened or migrated
   */
  public static JdbcStore openSqlite(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    Path file;
    try {
      Files.createDirectories(dataDir);
      file = dataDir.resolve(SQLITE_FILE).toAbsolutePath();
    } catch (IOException e) {
      throw new StoreException("cannot create data directory " + dataDir, e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    SQLiteDataSource sqlite = new SQLiteDataSource(config);
    sqlite.setUrl("jdbc:sqlite:" + file);

    HikariConfig pool = new HikariConfig();
    pool.setDataSource(sqlite);
    pool.setPoolName("distillguard-sqlite");
    pool.setMaximumPoolSize(SQLITE_POOL_SIZE);
    pool.setMinimumIdle(1);
    HikariDataSource hikari;
    try {
      hikari = new HikariDataSource(pool);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open SQLite database " + file, e);
    }
    return open(hikari, Dialect.SQLITE);
  }

  /**
   * Connects to a PostgreSQL database (a HikariCP pool) and migrates it. Many nodes may open the same database.
   *
   * @throws StoreException when the server cannot be reached, refuses the credentials or the migration fails; the
   *     message names the server (URL without its query string) and the driver's reason, never the password
   */
  public static JdbcStore openPostgres(PostgresSettings settings) {
    Objects.requireNonNull(settings, "settings");
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("distillguard-postgresql");
    pool.setDriverClassName("org.postgresql.Driver");
    pool.setJdbcUrl(settings.url());
    if (settings.user() != null) {
      pool.setUsername(settings.user());
    }
    if (settings.password() != null) {
      pool.setPassword(settings.password());
    }
    pool.setMaximumPoolSize(settings.poolSize());
    pool.setMinimumIdle(Math.min(2, settings.poolSize()));
    pool.setConnectionTimeout(settings.connectionTimeout().toMillis());
    pool.setValidationTimeout(Math.min(5_000, settings.connectionTimeout().toMillis()));
    // Fail at start when the server is unreachable or refuses us, instead of on the first request.
    pool.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
    pool.addDataSourceProperty("ApplicationName", "distillguard");
    pool.addDataSourceProperty("tcpKeepAlive", "true");
    HikariDataSource hikari;
    try {
      hikari = new HikariDataSource(pool);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to PostgreSQL at " + redact(settings.url()) + " as "
          + settings.user() + ": " + rootMessage(e), e);
    }
    return open(hikari, Dialect.POSTGRESQL, settings.node());
  }

  /** {@link #openPostgres(PostgresSettings)} with the default pool. */
  public static JdbcStore openPostgres(String url, String user, String password) {
    return openPostgres(new PostgresSettings(url, user, password));
  }

  /**
   * Migrates the database behind {@code dataSource} with {@code dialect}'s migrations and returns a store over it.
   * The store takes ownership: {@link #close()} closes the data source when it is {@link AutoCloseable}, and so does
   * a failed migration.
   *
   * @throws StoreException when the migration fails
   */
  public static JdbcStore open(DataSource dataSource, Dialect dialect) {
    return open(dataSource, dialect, DEFAULT_JOURNAL);
  }

  private static JdbcStore open(DataSource dataSource, Dialect dialect, String journal) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(dialect, "dialect");
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations(dialect.migrationLocation())
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      closeQuietly(dataSource, e);
      // Flyway may quote the connection URL, which may carry a password parameter.
      throw new StoreException("migrating the " + dialect + " database failed: "
          + String.valueOf(e.getMessage()).replaceAll("(?i)password=[^&\\s)]*", "password=***"), e);
    }
    return new JdbcStore(dataSource, dialect, journal);
  }

  /** The database kind behind this store. */
  public Dialect dialect() {
    return dialect;
  }

  @Override
  public AccountRepository accounts() {
    return accounts;
  }

  @Override
  public KeyRepository keys() {
    return keys;
  }

  @Override
  public ExchangeRepository exchanges() {
    return exchanges;
  }

  @Override
  public AuditLog audit() {
    return audit;
  }

  @Override
  public AlertLog alerts() {
    return alerts;
  }

  @Override
  public RiskHistory risks() {
    return risks;
  }

  @Override
  public ReviewLog reviews() {
    return reviews;
  }

  @Override
  public CaseFileLog cases() {
    return cases;
  }

  @Override
  public Analytics analytics() {
    return analytics;
  }

  @Override
  public ClusterRepository clusters() {
    return clusters;
  }

  @Override
  public RateUsage rateUsage() {
    return rateUsage;
  }

  /** The pool behind the repositories; for tests and tools that need raw SQL. */
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && dataSource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new StoreException("closing the store's data source failed", e);
      }
    }
  }

  /** A JDBC URL without its query string, which may carry a password. */
  static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static void closeQuietly(DataSource dataSource, Exception cause) {
    if (dataSource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        cause.addSuppressed(e);
      }
    }
  }
}
