package ru.otus.socialnet.testsupport;

/**
 * The networks of the suite's clusters on a network (PGCLUSTER_NETNS=1): a /24 inside 198.18.0.0/15
 * and a name prefix per test class, never the defaults (198.18.0, snr) where a user's own fault
 * campaign (bin/chaos) may be running on the same machine: two bridges on one /24 would cut it off.
 */
public final class TestNetworks {

    /** ClusterOnANetworkIT's. */
    public static final String CLUSTER_TEST_SUBNET = "198.18.2";
    public static final String CLUSTER_TEST_PREFIX = "snrt";

    /** ChaosCampaignIT's. */
    public static final String CAMPAIGN_TEST_SUBNET = "198.18.3";
    public static final String CAMPAIGN_TEST_PREFIX = "snrc";

    /** PatroniChaosCampaignIT's. */
    public static final String PATRONI_CAMPAIGN_TEST_SUBNET = "198.18.4";
    public static final String PATRONI_CAMPAIGN_TEST_PREFIX = "snrh";

    private TestNetworks() {
    }
}
