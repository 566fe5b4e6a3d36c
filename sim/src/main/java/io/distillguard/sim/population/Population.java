package io.distillguard.sim.population;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.scenario.PopulationSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds the benign side of a scenario: ordinary accounts (individuals and company seats) and legitimate heavy
 * users, with realistic sharing of attributes.
 *
 * <p>Activity: each ordinary account's mean requests per day is log-normal across accounts (median
 * {@code activity.median_per_day}, shape {@code activity.sigma}), capped at {@code activity.max_per_day}. With the
 * default shape 1.9 the top 1% of accounts send about a third of ordinary traffic and the busiest of 10,000 send
 * thousands a day while the median sends three; the population's burstiness then matches the Azure conversation
 * trace (see {@link io.distillguard.sim.data.TraceFit} and {@code PopulationStatisticsTest}).
 *
 * <p>Benign sharing: company seats share the company's email domain and NAT /24 (often one egress address), and
 * with probability {@code organizations.shared_payment} one card for the whole team; individuals use popular free
 * mail domains and popular SDK user agents; a few families share a card.
 */
public final class Population {
  public static final String BATCH_EVAL = "batch-eval";
  public static final String INTEGRATION = "integration";
  public static final String RESEARCHER = "researcher";
  public static final String LICENSED_DISTILLER = "licensed-distiller";

  static final String[] SYSTEM_PROMPTS = {"You are a helpful assistant.", "You are a helpful assistant.",
      "You are ChatGPT, a large language model. Answer as concisely as possible.",
      "You are a helpful, friendly assistant. Keep answers short unless asked for detail."};

  /** A company whose employees are accounts. */
  public record Org(String name, String domain, Geo.Country country, IpSpace.Subnet nat, String[] egress,
      String card, String tier, String userAgent, int seats) {}

  private final SimContext ctx;
  private final PopulationSpec spec;
  private final SplittableRandom rng;
  private final List<TimedActor> actors = new ArrayList<>();
  private final List<Org> orgs = new ArrayList<>();

  private Population(SimContext ctx) {
    this.ctx = ctx;
    this.spec = ctx.scenario().population();
    this.rng = Seeds.rng(ctx.seed(), "population", 0);
  }

  public static Population build(SimContext ctx) {
    Population p = new Population(ctx);
    p.buildOrdinary();
    p.buildHeavy();
    return p;
  }

  public List<TimedActor> actors() {
    return Collections.unmodifiableList(actors);
  }

  public List<Org> organizations() {
    return Collections.unmodifiableList(orgs);
  }

  private Org newOrg(int seats) {
    Geo.Country country = Geo.pick(rng);
    String[] co = ctx.accounts().company(rng);
    IpSpace.Subnet nat = IpSpace.corporate(country, rng);
    int egressCount = rng.nextDouble() < 0.6 ? 1 : 2 + rng.nextInt(3);
    String[] egress = new String[egressCount];
    int base = 1 + rng.nextInt(200);
    for (int i = 0; i < egressCount; i++) {
      egress[i] = nat.address(base + i);
    }
    String card = rng.nextDouble() < spec.sharedPayment() ? AccountFactory.card(rng) : null;
    String tier = seats >= 40 || rng.nextDouble() < 0.1 ? AccountFactory.TIER_ENTERPRISE
        : AccountFactory.TIER_DEFAULT;
    Org org = new Org(co[0], co[1], country, nat, egress, card, tier, ClientSoftware.benign(rng), seats);
    orgs.add(org);
    return org;
  }

  private void buildOrdinary() {
    int n = spec.accounts();
    int orgSeats = (int) Math.round(n * spec.orgShare());
    List<Org> seatOrgs = new ArrayList<>();
    int assigned = 0;
    while (assigned < orgSeats) {
      int seats = (int) Math.min(300, Math.floor(2 * Math.pow(1 - rng.nextDouble(), -1 / 1.1)));
      seats = Math.max(2, Math.min(seats, orgSeats - assigned));
      Org org = newOrg(seats);
      for (int i = 0; i < seats; i++) {
        seatOrgs.add(org);
      }
      assigned += seats;
    }
    String lastCard = null;
    for (int i = 0; i < n; i++) {
      SplittableRandom r = Seeds.rng(ctx.seed(), "benign", i);
      Persona p = new Persona();
      Org org = i < seatOrgs.size() ? seatOrgs.get(i) : null;
      String name = Names.person(r);
      Geo.Country country;
      String payment;
      String signupIp;
      String domain;
      String tier;
      if (org != null) {
        country = org.country();
        p.ip = org.egress()[r.nextInt(org.egress().length)];
        p.mobileIp = r.nextDouble() < 0.2 ? IpSpace.residential(country, r) : null;
        payment = org.card() != null ? org.card() : AccountFactory.card(r);
        signupIp = org.egress()[r.nextInt(org.egress().length)];
        domain = org.domain();
        tier = org.tier();
        p.userAgent = r.nextDouble() < 0.7 ? org.userAgent() : ClientSoftware.benign(r);
        p.rhythm = r.nextDouble() < 0.75 ? Rhythm.WORK : Rhythm.MIXED;
      } else {
        country = Geo.pick(r);
        p.ip = IpSpace.residential(country, r);
        p.mobileIp = r.nextDouble() < 0.3 ? IpSpace.residential(country, r) : null;
        boolean free = r.nextDouble() < spec.freeTier();
        tier = free ? AccountFactory.TIER_FREE : AccountFactory.TIER_DEFAULT;
        if (free) {
          payment = null;
        } else if (lastCard != null && r.nextDouble() < 0.02) {
          payment = lastCard; // a family sharing a card
        } else {
          payment = AccountFactory.card(r);
        }
        if (payment != null) {
          lastCard = payment;
        }
        signupIp = r.nextDouble() < 0.6 ? p.ip : IpSpace.residential(country, r);
        domain = r.nextDouble() < 0.88 ? Geo.freeMail(country, r) : Names.personalDomain(name, r);
        p.userAgent = ClientSoftware.benign(r);
        double rh = r.nextDouble();
        p.rhythm = rh < 0.45 ? Rhythm.PERSONAL : rh < 0.8 ? Rhythm.MIXED : Rhythm.WORK;
      }
      p.utcOffsetMinutes = country.utcOffsetMinutes();
      p.requestsPerDay = Math.min(spec.maxPerDay(), spec.medianPerDay() * Math.exp(spec.sigma() * r.nextGaussian()));
      long created;
      if (r.nextDouble() < spec.newSignups()) {
        created = ctx.startMillis() + (long) (r.nextDouble() * Math.max(1, ctx.endMillis() - ctx.startMillis()
            - 3_600_000L));
        p.activeFrom = created + 60_000 + (long) (r.nextDouble() * 7_200_000L);
      } else {
        created = ctx.startMillis() - (long) ((1 + r.nextDouble() * 900) * 86_400_000L);
        p.activeFrom = ctx.startMillis();
      }
      Map<String, String> attrs = AccountFactory.attributes(payment, signupIp, domain, Geo.iso(country), tier);
      p.account = ctx.accounts().create(name, attrs, Label.BENIGN, created);
      p.model = ctx.pickModel(r);
      p.params = SamplingStyles.benign(r);
      p.streamShare = ClientSoftware.streamShare(p.userAgent);
      boolean browser = ClientSoftware.isBrowser(p.userAgent);
      p.systemPrompt = !browser && r.nextDouble() < 0.12 ? SYSTEM_PROMPTS[r.nextInt(SYSTEM_PROMPTS.length)] : null;
      p.legacyCompletions = !browser && r.nextDouble() < 0.02;
      double[] w = ctx.benignWeights();
      for (int k = 0; k < w.length; k++) {
        w[k] *= 0.3 + 1.4 * r.nextDouble();
      }
      p.poolWeights = w;
      actors.add(new BenignUser(ctx, p, r));
    }
  }

  private void buildHeavy() {
    PopulationSpec.Heavy h = spec.heavy();
    for (int i = 0; i < h.batchEval(); i++) {
      SplittableRandom r = Seeds.rng(ctx.seed(), BATCH_EVAL, i);
      Persona p = heavyPersona(r, BATCH_EVAL);
      if (!orgs.isEmpty() && r.nextDouble() < 0.6) {
        Org org = orgs.get(r.nextInt(orgs.size()));
        p.utcOffsetMinutes = org.country().utcOffsetMinutes();
        p.ip = org.egress()[0];
        p.account = account(r, org.card() != null ? org.card() : AccountFactory.card(r), org.egress()[0],
            org.domain(), Geo.iso(org.country()), org.tier(), BATCH_EVAL);
      } else {
        Geo.Country c = Geo.pick(r);
        p.utcOffsetMinutes = c.utcOffsetMinutes();
        p.ip = IpSpace.corporate(c, r).random(r);
        p.account = account(r, AccountFactory.card(r), p.ip, Names.university(r), Geo.iso(c),
            AccountFactory.TIER_DEFAULT, BATCH_EVAL);
      }
      actors.add(new BatchEvalUser(ctx, p, r));
    }
    for (int i = 0; i < h.integration(); i++) {
      SplittableRandom r = Seeds.rng(ctx.seed(), INTEGRATION, i);
      Persona p = heavyPersona(r, INTEGRATION);
      Geo.Country c = Geo.pick(r);
      String[] co = ctx.accounts().company(r);
      IpSpace.Subnet cloud = IpSpace.cloud(r);
      String[] egress = new String[2 + r.nextInt(3)];
      for (int k = 0; k < egress.length; k++) {
        egress[k] = cloud.random(r);
      }
      p.utcOffsetMinutes = c.utcOffsetMinutes();
      p.rhythm = Rhythm.FLAT;
      p.userAgent = ClientSoftware.server(r);
      p.requestsPerDay = Math.min(60_000, Seeds.logNormal(r, Math.log(6000), 0.8));
      p.account = account(r, AccountFactory.card(r), IpSpace.corporate(c, r).random(r), co[1], Geo.iso(c),
          r.nextDouble() < 0.6 ? AccountFactory.TIER_ENTERPRISE : AccountFactory.TIER_DEFAULT, INTEGRATION);
      actors.add(new IntegrationUser(ctx, p, egress, r));
    }
    for (int i = 0; i < h.researcher(); i++) {
      SplittableRandom r = Seeds.rng(ctx.seed(), RESEARCHER, i);
      Persona p = heavyPersona(r, RESEARCHER);
      Geo.Country c = Geo.pick(r);
      p.utcOffsetMinutes = c.utcOffsetMinutes();
      p.ip = r.nextBoolean() ? IpSpace.corporate(c, r).random(r) : IpSpace.residential(c, r);
      String domain = r.nextDouble() < 0.6 ? Names.university(r) : Geo.freeMail(c, r);
      p.account = account(r, AccountFactory.card(r), p.ip, domain, Geo.iso(c), AccountFactory.TIER_DEFAULT,
          RESEARCHER);
      actors.add(new ResearcherUser(ctx, p, r));
    }
    for (int i = 0; i < h.licensedDistiller(); i++) {
      SplittableRandom r = Seeds.rng(ctx.seed(), LICENSED_DISTILLER, i);
      Persona p = heavyPersona(r, LICENSED_DISTILLER);
      Geo.Country c = Geo.pick(r);
      String[] co = ctx.accounts().company(r);
      IpSpace.Subnet cloud = IpSpace.cloud(r);
      String[] egress = {cloud.random(r), cloud.random(r)};
      p.utcOffsetMinutes = c.utcOffsetMinutes();
      p.userAgent = ClientSoftware.PY_ASYNC;
      p.requestsPerDay = 20_000 + r.nextInt(40_000);
      p.account = account(r, AccountFactory.card(r), IpSpace.corporate(c, r).random(r), co[1], Geo.iso(c),
          AccountFactory.TIER_ENTERPRISE, LICENSED_DISTILLER);
      actors.add(new LicensedDistiller(ctx, p, egress, r));
    }
  }

  private Persona heavyPersona(SplittableRandom r, String group) {
    Persona p = new Persona();
    p.model = r.nextDouble() < 0.7 ? ctx.flagshipModel() : ctx.pickModel(r);
    p.userAgent = ClientSoftware.script(r);
    p.rhythm = Rhythm.WORK;
    p.activeFrom = ctx.startMillis();
    return p;
  }

  private SimAccount account(SplittableRandom r, String card, String signupIp, String domain, String country,
      String tier, String group) {
    long created = ctx.startMillis() - (long) ((30 + r.nextDouble() * 700) * 86_400_000L);
    return ctx.accounts().create(Names.person(r), AccountFactory.attributes(card, signupIp, domain, country, tier),
        new Label(Label.Kind.BENIGN_HEAVY, group), created);
  }
}
