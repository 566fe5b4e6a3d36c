package io.distillguard.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.distillguard.store.AccountRepository;
import io.distillguard.store.AlertLog;
import io.distillguard.store.Analytics;
import io.distillguard.store.AuditLog;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.ExchangeRepository;
import io.distillguard.store.KeyRepository;
import io.distillguard.store.ReviewLog;
import io.distillguard.store.RiskHistory;
import io.distillguard.store.Store;
import io.distillguard.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A {@link Store} over JDBC. {@link #openSqlite(Path)} is the embedded deployment; {@link #open(DataSource, Dialect)}
 * takes any pooled data source, which is how a server database is plugged in. Either way the schema is migrated to
 * the newest version before the store is returned.
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
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcStore(DataSource dataSource) {
    this.dataSource = dataSource;
    Jdbc jdbc = new Jdbc(dataSource);
    this.accounts = new JdbcAccountRepository(jdbc);
    this.keys = new JdbcKeyRepository(jdbc);
    this.exchanges = new JdbcExchangeRepository(jdbc);
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
   * Migrates the database behind {@code dataSource} with {@code dialect}'s migrations and returns a store over it.
   * The store takes ownership: {@link #close()} closes the data source when it is {@link AutoCloseable}, and so does
   * a failed migration.
   *
   * @throws StoreException when the migration fails
   */
  public static JdbcStore open(DataSource dataSource, Dialect dialect) {
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
      throw new StoreException("migrating the " + dialect + " database failed: " + e.getMessage(), e);
    }
    return new JdbcStore(dataSource);
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
