package dev.tollgate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.management.ThreadMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import org.jspecify.annotations.Nullable;

/**
 * The bytes a JVM's threads allocate (their allocation counters, read over JMX from the JVM's local management agent,
 * started through the Attach API as jcmd starts it). Unlike CPU time, a call's allocation does not move with the
 * machine's speed or what else runs on it, so it shows a change to the hot path that the CPU per call hides in the
 * noise of a shared machine. Only live threads are counted: what a thread that ended between two readings allocated
 * is lost (the event loops, which do the per-call work, live as long as the process). The connection stays open
 * until the benchmark ends.
 */
final class AllocationMeter {

    private final ThreadMXBean threads;

    private AllocationMeter(ThreadMXBean threads) {
        this.threads = threads;
    }

    /** Null, with a line saying why, when the JVM cannot be attached to: the report then leaves allocation out. */
    static @Nullable AllocationMeter attach(long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            }
            finally {
                vm.detach();
            }
            var connection = JMXConnectorFactory.connect(new JMXServiceURL(address)).getMBeanServerConnection();
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connection,
                    ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
            return threads.isThreadAllocatedMemorySupported() ? new AllocationMeter(threads) : null;
        }
        catch (IOException | AttachNotSupportedException | RuntimeException failed) {
            System.out.println("bench: cannot read the allocation of JVM " + pid + " (" + failed + "); leaving it out");
            return null;
        }
    }

    /** Each live thread's allocated bytes so far. */
    Snapshot snapshot() {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byThread.put(ids[i], bytes[i]);
            }
        }
        return new Snapshot(byThread);
    }

    record Snapshot(Map<Long, Long> byThread) {

        /**
         * The bytes allocated since {@code earlier} by the threads alive now, thread by thread: a total of all threads
         * would drop by what a thread that ended had allocated before {@code earlier}.
         */
        long since(Snapshot earlier) {
            long sum = 0;
            for (Map.Entry<Long, Long> thread : byThread.entrySet()) {
                sum += thread.getValue() - earlier.byThread.getOrDefault(thread.getKey(), 0L);
            }
            return sum;
        }
    }
}
