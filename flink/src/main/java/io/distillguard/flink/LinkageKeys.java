package io.distillguard.flink;

import io.distillguard.core.Exchange;
import io.distillguard.linkage.AccountKeys;
import io.distillguard.linkage.Filing;
import io.distillguard.linkage.Observation;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Linkage's stage keyed by account, the first of three: it takes each accepted exchange's observation (the text is
 * tokenised here, at the job's parallelism, not in the one linkage subtask), works out which linkage keys the
 * exchange files its account under for the first time ({@link AccountKeys}, the same fold the engine does), sends
 * each such filing to the stage keyed by linkage key ({@link #FILINGS}, {@link LinkageKeyMembers}), and passes the
 * exchange on with its observation and keys to the stage that keeps the profiles ({@link LinkageOperator}).
 *
 * <p>State per account: its {@link AccountKeys} (about 0.5 KB), kept as long as linkage keeps the account's profile,
 * which is for good: an account forgotten here would file its keys a second time.
 */
public final class LinkageKeys extends KeyedProcessFunction<String, Exchange, Observed> {
  private static final long serialVersionUID = 1L;
  /** Filings for the stage keyed by linkage key. */
  public static final OutputTag<Filing> FILINGS = new OutputTag<>("linkage-filings",
      LinkageSerializers.FilingSerializer.TYPE);

  private transient ValueState<AccountKeys> state;
  private transient Counter filings;

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("linkage-account-keys",
        LinkageStateSerializers.AccountKeysSerializer.INSTANCE));
    filings = getRuntimeContext().getMetricGroup().counter("linkageFilings");
  }

  @Override
  public void processElement(Exchange e, Context ctx, Collector<Observed> out) throws Exception {
    AccountKeys keys = state.value();
    if (keys == null) {
      keys = new AccountKeys(e.accountId());
    } else if (!keys.account().equals(e.accountId())) {
      throw new IOException("linkage keys state of another account under this key");
    }
    Observation o = Observation.of(e);
    long[] filed = keys.observe(o);
    state.update(keys);
    for (long key : filed) {
      ctx.output(FILINGS, new Filing(key, e.accountId(), keys.exchanges()));
    }
    filings.inc(filed.length);
    out.collect(new Observed(e, o, keys.exchanges(), filed));
  }
}
