package io.distillguard.sim.campaign;

/**
 * What a campaign has done so far (for "fraction harvested" and cost metrics).
 *
 * @param promptSetSize     distinct prompts (tasks) the campaign wants answered
 * @param promptsHarvested  distinct prompts with at least one served (200) answer
 * @param requestsSent      every request handed out, attack and cover/customer traffic
 * @param attackRequests    requests with {@code attack = true}
 * @param requestsServed    attack requests answered with 200
 * @param requestsLimited   attack requests answered with 429
 * @param requestsRefused   attack requests answered with 401/403
 * @param accountsOpened    accounts the campaign has used (initial, batches, replacements)
 * @param accountsDead      accounts that got 401/403
 * @param replacementsUsed  replacement accounts opened after deaths
 */
public record CampaignStats(String id, String strategy, int promptSetSize, int promptsHarvested, long requestsSent,
    long attackRequests, long requestsServed, long requestsLimited, long requestsRefused, int accountsOpened,
    int accountsDead, int replacementsUsed) {

  /** Share of the prompt set harvested, 0..1. */
  public double fractionHarvested() {
    return promptSetSize == 0 ? 0 : (double) promptsHarvested / promptSetSize;
  }
}
