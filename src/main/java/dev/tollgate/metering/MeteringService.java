package dev.tollgate.metering;

import org.springframework.stereotype.Service;

/** Metering's door: every proxied call hands over exactly one {@link RequestLogEntry} when it ends. */
@Service
public class MeteringService {

    private final RequestLogWriter requestLog;

    MeteringService(RequestLogWriter requestLog) {
        this.requestLog = requestLog;
    }

    /** Records the call; never blocks and never fails the caller (the write happens in the background). */
    public void record(RequestLogEntry entry) {
        requestLog.submit(entry);
    }

}
