package dev.tollgate.metering;

import java.util.UUID;

import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/** Metering's door: every proxied call hands over exactly one {@link UsageRecord} when it ends. */
@Service
public class MeteringService {

    private final UsageWriter writer;
    private final RequestLogQueries log;
    private final UsageMetrics metrics;

    MeteringService(UsageWriter writer, RequestLogQueries log, UsageMetrics metrics) {
        this.writer = writer;
        this.log = log;
        this.metrics = metrics;
    }

    /** One of the tenant's generations, or empty when it has none with this id (or it is not written yet). */
    public Mono<ActivityItem> generation(UUID tenantId, UUID id) {
        return log.one(tenantId, id);
    }

    /** Records the call; never blocks and never fails the caller (the write happens in the background). */
    public void record(UsageRecord record) {
        writer.submit(record);
        metrics.record(record);
    }

    /**
     * Records a call whose record takes tokenizer work to make (see {@link UsageWriter#submitWhenPrepared}): the
     * preparation runs off the event loops, and may settle what the record's charge settles.
     */
    public void recordWhenPrepared(Mono<UsageRecord> preparation) {
        writer.submitWhenPrepared(preparation.doOnNext(metrics::record));
    }

}
