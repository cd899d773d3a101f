package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;

/**
 * The index queue, fair between tenants: one FIFO lane per tenant, served round-robin. A tenant with
 * thousands of documents waiting delays another tenant's new document by at most one document per busy
 * tenant, instead of by its whole backlog. Plugged into the seda endpoint ({@code queue=#fairIngestQueue});
 * its state lives in this JVM only (per replica, like any seda queue).
 */
public class FairIngestQueue extends AbstractQueue<Exchange> implements BlockingQueue<Exchange> {

    /** Lane of exchanges that carry no valid tenant: they are served too, so the route guard can refuse them. */
    private static final String NO_TENANT = "";

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Map<String, ArrayDeque<Exchange>> lanes = new HashMap<>();
    private final ArrayDeque<String> turn = new ArrayDeque<>();
    private int size;

    public FairIngestQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    private static String lane(Exchange exchange) {
        return TenantHeader.peek(exchange).map(TenantId::value).orElse(NO_TENANT);
    }

    @Override
    public boolean offer(Exchange exchange) {
        lock.lock();
        try {
            if (size >= capacity) {
                return false;
            }
            enqueue(exchange);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(Exchange exchange) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size >= capacity) {
                notFull.await();
            }
            enqueue(exchange);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean offer(Exchange exchange, long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size >= capacity) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos);
            }
            enqueue(exchange);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Exchange poll() {
        lock.lock();
        try {
            return size == 0 ? null : dequeue();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Exchange take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                notEmpty.await();
            }
            return dequeue();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Exchange poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (size == 0) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return dequeue();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Exchange peek() {
        lock.lock();
        try {
            return size == 0 ? null : lanes.get(turn.peekFirst()).peekFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Documents waiting for one tenant. */
    public int waiting(TenantId tenant) {
        lock.lock();
        try {
            ArrayDeque<Exchange> lane = lanes.get(tenant.value());
            return lane == null ? 0 : lane.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int remainingCapacity() {
        lock.lock();
        try {
            return capacity - size;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean remove(Object candidate) {
        if (!(candidate instanceof Exchange exchange)) {
            return false;
        }
        lock.lock();
        try {
            String key = lane(exchange);
            ArrayDeque<Exchange> lane = lanes.get(key);
            if (lane == null || !lane.remove(exchange)) {
                return false;
            }
            if (lane.isEmpty()) {
                lanes.remove(key);
                turn.remove(key);
            }
            size--;
            notFull.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int drainTo(Collection<? super Exchange> target) {
        return drainTo(target, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Exchange> target, int maxElements) {
        lock.lock();
        try {
            int drained = 0;
            while (size > 0 && drained < maxElements) {
                target.add(dequeue());
                drained++;
            }
            return drained;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot, in service order; it does not support removal. */
    @Override
    public Iterator<Exchange> iterator() {
        lock.lock();
        try {
            List<Exchange> snapshot = new ArrayList<>(size);
            for (String key : turn) {
                snapshot.addAll(lanes.get(key));
            }
            return java.util.Collections.unmodifiableList(snapshot).iterator();
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Exchange exchange) {
        String key = lane(exchange);
        ArrayDeque<Exchange> lane = lanes.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (lane.isEmpty()) {
            turn.addLast(key);
        }
        lane.addLast(exchange);
        size++;
        notEmpty.signal();
    }

    private Exchange dequeue() {
        String key = turn.pollFirst();
        ArrayDeque<Exchange> lane = lanes.get(key);
        Exchange next = lane.pollFirst();
        if (lane.isEmpty()) {
            lanes.remove(key);
        } else {
            turn.addLast(key); // the tenant goes to the back of the line
        }
        size--;
        notFull.signal();
        return next;
    }
}
