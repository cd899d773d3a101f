package io.caravan.sources;

import io.caravan.tenancy.TenantId;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * What each tenant source is doing: state, last run, items seen, last error. Kept in this replica's memory (it
 * describes the routes this replica runs); counters start at zero after a restart.
 */
@Component
public class SourceStatuses {

    /** State of a source instance, as {@code GET /api/v1/sources} reports it. */
    public enum State {
        RUNNING, STOPPED, FAILING;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One source's status. {@code generation} changes whenever the instance is (re)started or stopped, so a run of
     * an older instance can tell it should end; {@code runs} counts finished runs of sources that report them.
     */
    public record Status(String id, String type, State state, Instant lastRunAt, long itemsSeen, String lastError,
                         long runs, long generation) {

        Status with(State newState, String error, long newGeneration) {
            return new Status(id, type, newState, lastRunAt, itemsSeen, error, runs, newGeneration);
        }
    }

    private record Key(TenantId tenant, String sourceId) {
    }

    private final Map<Key, Status> statuses = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();
    private final Clock clock;

    public SourceStatuses(Clock clock) {
        this.clock = clock;
    }

    /** The instance now runs; returns its generation. Counters of an earlier instance of the same source are kept. */
    public long running(TenantId tenant, String sourceId, String type) {
        return transition(tenant, sourceId, type, State.RUNNING, null);
    }

    public long failing(TenantId tenant, String sourceId, String type, String error) {
        return transition(tenant, sourceId, type, State.FAILING, error);
    }

    /** The instance is being stopped (before its routes are): runs in progress see it and end early. */
    public void stopping(TenantId tenant, String sourceId) {
        statuses.computeIfPresent(new Key(tenant, sourceId),
                (key, old) -> old.with(State.STOPPED, old.lastError(), generations.incrementAndGet()));
    }

    public void remove(TenantId tenant, String sourceId) {
        statuses.remove(new Key(tenant, sourceId));
    }

    private long transition(TenantId tenant, String sourceId, String type, State state, String error) {
        long generation = generations.incrementAndGet();
        statuses.compute(new Key(tenant, sourceId), (key, old) -> old == null
                ? new Status(sourceId, type, state, null, 0, error, 0, generation)
                : new Status(sourceId, type, state, old.lastRunAt(), old.itemsSeen(), error, old.runs(), generation));
        return generation;
    }

    /** An item of the source arrived (whatever became of it). Ignored for sources this replica does not run. */
    public void itemSeen(TenantId tenant, String sourceId) {
        Instant now = clock.instant();
        statuses.computeIfPresent(new Key(tenant, sourceId), (key, old) -> new Status(old.id(), old.type(),
                old.state(), now, old.itemsSeen() + 1, old.lastError(), old.runs(), old.generation()));
    }

    /** A run of the source ended (a crawl); {@code error} is null when it went through. */
    public void runFinished(TenantId tenant, String sourceId, String error) {
        Instant now = clock.instant();
        statuses.computeIfPresent(new Key(tenant, sourceId), (key, old) -> new Status(old.id(), old.type(),
                old.state(), now, old.itemsSeen(), error != null ? error : old.lastError(), old.runs() + 1,
                old.generation()));
    }

    /**
     * A run of a polling source failed as a whole (its mailbox or API refused the credentials, answered 5xx): the
     * source is {@code failing} with the error until a later run of the same instance goes through. The instance
     * keeps running (its next poll retries); a stopped instance stays stopped. {@code error} must carry no secret.
     */
    public void runFailed(TenantId tenant, String sourceId, String error) {
        Instant now = clock.instant();
        statuses.computeIfPresent(new Key(tenant, sourceId), (key, old) -> old.state() == State.STOPPED ? old
                : new Status(old.id(), old.type(), State.FAILING, now, old.itemsSeen(), error, old.runs() + 1,
                old.generation()));
    }

    /**
     * A run of a polling source got through to its service (the items it offers may still fail one by one): a
     * source that was {@code failing} because of its runs is {@code running} again, without that error.
     */
    public void runSucceeded(TenantId tenant, String sourceId) {
        Instant now = clock.instant();
        statuses.computeIfPresent(new Key(tenant, sourceId), (key, old) -> old.state() == State.STOPPED ? old
                : new Status(old.id(), old.type(), State.RUNNING, now, old.itemsSeen(),
                old.state() == State.FAILING ? null : old.lastError(), old.runs() + 1, old.generation()));
    }

    /** Records an error of one item or run without changing the state (the source goes on). */
    public void error(TenantId tenant, String sourceId, String error) {
        statuses.computeIfPresent(new Key(tenant, sourceId), (key, old) -> new Status(old.id(), old.type(),
                old.state(), old.lastRunAt(), old.itemsSeen(), error, old.runs(), old.generation()));
    }

    public Optional<Status> find(TenantId tenant, String sourceId) {
        return Optional.ofNullable(statuses.get(new Key(tenant, sourceId)));
    }

    /** True while the instance of this generation should go on running. */
    public boolean isCurrent(TenantId tenant, String sourceId, long generation) {
        Status status = statuses.get(new Key(tenant, sourceId));
        return status != null && status.state() == State.RUNNING && status.generation() == generation;
    }

    public long generation(TenantId tenant, String sourceId) {
        Status status = statuses.get(new Key(tenant, sourceId));
        return status == null ? -1 : status.generation();
    }

    /** The tenant's sources this replica knows, by id. */
    public List<Status> list(TenantId tenant) {
        return statuses.entrySet().stream().filter(e -> e.getKey().tenant().equals(tenant))
                .map(Map.Entry::getValue).sorted(Comparator.comparing(Status::id)).toList();
    }
}
