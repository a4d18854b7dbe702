package ru.otus.socialnet.chaos;

/** The campaign's background threads: daemons (a stuck one never keeps the JVM alive), and their naps. */
final class Daemons {

    private Daemons() {
    }

    static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Sleeps; an interrupt ends the nap early and stays set for the caller's loop to see. */
    static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
