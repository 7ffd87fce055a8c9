package net.tesseras.transport.quic.internal.wire;

/** Message types of protocol version 1 (docs/PROTOCOL.md, section "Message types"). */
public final class FrameType {

    public static final int PING = 0x01;
    public static final int PONG = 0x02;
    public static final int GET_FRAGMENT = 0x03;
    public static final int FRAGMENT = 0x04;
    public static final int PUT_FRAGMENT = 0x05;
    public static final int PUT_OK = 0x06;
    public static final int LIST_FRAGMENTS = 0x07;
    public static final int FRAGMENT_LIST = 0x08;
    public static final int OVERLOADED = 0x7E;
    public static final int ERROR = 0x7F;

    private FrameType() {
    }

    public static String name(int type) {
        return switch (type) {
            case PING -> "ping";
            case PONG -> "pong";
            case GET_FRAGMENT -> "get";
            case FRAGMENT -> "fragment";
            case PUT_FRAGMENT -> "put";
            case PUT_OK -> "put_ok";
            case LIST_FRAGMENTS -> "list";
            case FRAGMENT_LIST -> "fragment_list";
            case OVERLOADED -> "overloaded";
            case ERROR -> "error";
            default -> "ext_0x" + Integer.toHexString(type);
        };
    }
}
