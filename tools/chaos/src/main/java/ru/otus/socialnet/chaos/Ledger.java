package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every request of a run and its answer, appended by the clients as they go. */
public final class Ledger {

    private final Queue<Op> ops = new ConcurrentLinkedQueue<>();

    public void add(Op op) {
        ops.add(op);
    }

    /** Everything so far, in the order the requests were sent. */
    public List<Op> ops() {
        List<Op> list = new ArrayList<>(ops);
        list.sort(Comparator.comparingLong(Op::startMs));
        return list;
    }

    public void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(Op.CSV_HEADER);
        for (Op op : ops()) {
            lines.add(op.csv());
        }
        Files.write(file, lines);
    }
}
