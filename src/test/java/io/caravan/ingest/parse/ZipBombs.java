package io.caravan.ingest.parse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes ZIP files (and so OOXML packages) whose entries inflate to gigabytes while the archive stays a few
 * MB, without the test ever holding or deflating the expanded data: one deflate segment of a periodic text
 * is compressed once and repeated, which is valid because every copy sees the same 32 KB window.
 */
final class ZipBombs {

    private static final int PERIOD_COPIES = 1 << 15;

    private final List<Entry> entries = new ArrayList<>();

    private record Entry(String name, byte[] compressed, long crc, long size) {
    }

    /** A small entry stored as given. */
    ZipBombs add(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        finish(deflater, out);
        entries.add(new Entry(name, out.toByteArray(), crc.getValue(), bytes.length));
        return this;
    }

    /**
     * An entry of {@code head}, then {@code unit} repeated until the entry holds about {@code expandedBytes},
     * then {@code tail}. Stays below 4 GB so no ZIP64 records are needed.
     */
    ZipBombs addExpanding(String name, String head, String unit, String tail, long expandedBytes) {
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] segment = unit.repeat(PERIOD_COPIES).getBytes(StandardCharsets.UTF_8);
        byte[] tailBytes = tail.getBytes(StandardCharsets.UTF_8);
        long repeats = Math.max(1, (expandedBytes - headBytes.length - tailBytes.length) / segment.length);
        long size = headBytes.length + segment.length * (repeats + 1) + tailBytes.length;
        if (size >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("keep entries below 4 GB");
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // head plus one segment primes the 32 KB window with the periodic text
        deflater.setInput(headBytes);
        deflate(deflater, out);
        deflater.setInput(segment);
        flush(deflater, out);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        deflater.setInput(segment);
        flush(deflater, one);
        byte[] repeated = one.toByteArray();
        for (long i = 0; i < repeats; i++) {
            out.writeBytes(repeated);
        }
        deflater.setInput(tailBytes);
        finish(deflater, out);

        CRC32 crc = new CRC32();
        crc.update(headBytes);
        for (long i = 0; i <= repeats; i++) {
            crc.update(segment);
        }
        crc.update(tailBytes);
        entries.add(new Entry(name, out.toByteArray(), crc.getValue(), size));
        return this;
    }

    byte[] toBytes() {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Entry entry : entries) {
            offsets.add((long) zip.size());
            byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer header = le(30 + name.length);
            header.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) 8)
                    .putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) entry.crc()).putInt(entry.compressed().length).putInt((int) entry.size())
                    .putShort((short) name.length).putShort((short) 0).put(name);
            zip.writeBytes(header.array());
            zip.writeBytes(entry.compressed());
        }
        long directoryStart = zip.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer header = le(46 + name.length);
            header.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) 8).putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) entry.crc()).putInt(entry.compressed().length).putInt((int) entry.size())
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) (long) offsets.get(i))
                    .put(name);
            zip.writeBytes(header.array());
        }
        long directorySize = zip.size() - directoryStart;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) entries.size()).putShort((short) entries.size())
                .putInt((int) directorySize).putInt((int) directoryStart).putShort((short) 0);
        zip.writeBytes(end.array());
        return zip.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Compresses all pending input. */
    private static void deflate(Deflater deflater, ByteArrayOutputStream out) {
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.needsInput()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
    }

    /** Compresses pending input and ends on a byte boundary, so the output can be cut here. */
    private static void flush(Deflater deflater, ByteArrayOutputStream out) {
        byte[] buffer = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
    }

    private static void finish(Deflater deflater, ByteArrayOutputStream out) {
        deflater.finish();
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
    }
}
