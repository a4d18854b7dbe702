package ru.otus.socialnet.user;

/**
 * What the database holds under a registration key after an insert attempt.
 *
 * @param id           the user's id
 * @param created      this attempt stored it (false: a registration with this key was already there)
 * @param stored       the stored fields, to compare with a resent request; null when {@code created}
 * @param passwordHash the stored bcrypt hash, to compare the resent password; null when {@code created}
 */
record StoredRegistration(long id, boolean created, RegistrationRequest stored, String passwordHash) {
}
