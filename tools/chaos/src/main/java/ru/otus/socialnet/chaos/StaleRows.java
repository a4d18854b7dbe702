package ru.otus.socialnet.chaos;

import java.util.Map;

/**
 * Rows of the run found on a node that was a primary on an older timeline than the newest one, and
 * that the newest primary does not have: taken just before that node is stopped and rewound (after
 * which they are gone).
 *
 * @param node      the stale node
 * @param timeline  the timeline it was writing
 * @param atMs      when they were counted
 * @param rows      marker -> rows, only for markers the newest primary lacks
 */
public record StaleRows(String node, int timeline, long atMs, Map<String, Integer> rows) {
}
