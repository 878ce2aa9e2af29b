package io.reprise.agent.determinism;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Tells, from a class file's constant pool alone, whether the class may call one of the rewritten methods: it must
 * name one of their owners and one of their names, or one of the classes whose constructor is rewritten
 * ({@code java/util/Date}, {@code java/util/Random}: every class names {@code <init>}). Most classes name neither, and are left without being parsed
 * (no ASM, no allocation but this scan's loop); the few that may are then rewritten by {@link CallSiteTransformer}.
 */
final class ConstantPoolScan {

    private final byte[][] constructed;
    private final byte[][] owners;
    private final byte[][] names;
    private final int minLength;
    private final int maxLength;

    ConstantPoolScan(Set<String> constructed, Set<String> owners, Set<String> names) {
        this.constructed = bytes(constructed);
        this.owners = bytes(owners);
        this.names = bytes(names);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (byte[][] set : new byte[][][] {this.constructed, this.owners, this.names}) {
            for (byte[] b : set) {
                min = Math.min(min, b.length);
                max = Math.max(max, b.length);
            }
        }
        this.minLength = min;
        this.maxLength = max;
    }

    private static byte[][] bytes(Set<String> strings) {
        return strings.stream().sorted().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /**
     * Whether {@code classFile} names one of the owners and one of the names in its constant pool. A class file too
     * damaged to scan is reported as a match, so that the parser that follows decides (and reports) what it is.
     */
    boolean mayCall(byte[] classFile) {
        try {
            return scan(classFile);
        } catch (ArrayIndexOutOfBoundsException damaged) {
            return true;
        }
    }

    private boolean scan(byte[] c) {
        int count = u2(c, 8);
        int at = 10;
        boolean owner = false;
        boolean name = false;
        for (int i = 1; i < count; i++) {
            int tag = c[at];
            switch (tag) {
                case 1: { // Utf8
                    int length = u2(c, at + 1);
                    int start = at + 3;
                    if (length >= minLength && length <= maxLength) {
                        if (contains(constructed, c, start, length)) {
                            return true;
                        }
                        if (!owner && contains(owners, c, start, length)) {
                            owner = true;
                        } else if (!name && contains(names, c, start, length)) {
                            name = true;
                        }
                        if (owner && name) {
                            return true;
                        }
                    }
                    at = start + length;
                    break;
                }
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    at += 5;
                    break;
                case 5: case 6: // Long and Double take two entries
                    at += 9;
                    i++;
                    break;
                case 7: case 8: case 16: case 19: case 20:
                    at += 3;
                    break;
                case 15:
                    at += 4;
                    break;
                default:
                    return true; // not a constant pool this scan knows: let the parser decide
            }
        }
        return false;
    }

    private static boolean contains(byte[][] set, byte[] c, int start, int length) {
        for (byte[] candidate : set) {
            if (candidate.length == length && Arrays.equals(candidate, 0, length, c, start, start + length)) {
                return true;
            }
        }
        return false;
    }

    private static int u2(byte[] c, int at) {
        return (c[at] & 0xFF) << 8 | (c[at + 1] & 0xFF);
    }
}
