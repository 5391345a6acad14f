package dev.tollgate.metering;

import org.springframework.stereotype.Service;

/** Metering's door: every proxied call hands over exactly one {@link UsageRecord} when it ends. */
@Service
public class MeteringService {

    private final UsageWriter writer;

    MeteringService(UsageWriter writer) {
        this.writer = writer;
    }

    /** Records the call; never blocks and never fails the caller (the write happens in the background). */
    public void record(UsageRecord record) {
        writer.submit(record);
    }

}
