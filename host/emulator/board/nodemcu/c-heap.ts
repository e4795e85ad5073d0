/**
 * What the board's C code allocates for WiFi, TCP and the MQTT client, charged to node.heap()
 * (kernel.ts K.cBytes) while it is held: on an ESP8266 these come out of the same ≈44 KB as the
 * Lua heap. The stand-ins' own Lua tables are the emulator's (booked in the ledger), these
 * figures are what the board pays instead.
 *
 * Sizes are sizeof() of nodemcu-firmware's own structs (release branch, commit 36cbf9f),
 * measured by compiling its headers for a 32-bit target (gcc -m32: ILP32 like the lx106, and
 * none of these structs holds a 64-bit member, so the layout is the same).
 */
import { K } from "../kernel.ts";

export const C_SIZE = {
  /** app/modules/mqtt.c `struct lmqtt_userdata` (espconn embedded, mqtt_state_t, ETSTimer). */
  mqttUserdata: 148,
  /** Lua 5.1 userdata header in front of it (lobject.h `Udata`, 20 bytes padded to 8 by L_Umaxalign's double). */
  luaUdataHeader: 24,
  /** app/include/lwip/app/espconn.h `esp_tcp`: calloc'd by mqtt:connect(), freed on disconnect. */
  espTcp: 32,
  /** espconn.h `espconn_msg`: os_zalloc'd by espconn_tcp_client() (app/lwip/app/espconn_tcp.c). */
  espconnMsg: 104,
  /** lwIP `struct tcp_pcb` (app/include/lwip/tcp.h): memp from the heap (lwipopts.h MEMP_MEM_MALLOC 1). */
  tcpPcb: 176,
  /** lwIP `struct tcp_seg` (tcp_impl.h): one per segment until the peer acknowledges it. */
  tcpSeg: 20,
  /** lwIP `struct pbuf` (pbuf.h). */
  pbuf: 20,
  /** Header room of a TCP segment's pbuf: PBUF_TRANSPORT_HLEN 20 + PBUF_IP_HLEN 20 (pbuf.h) + PBUF_LINK_HLEN 14 (lwipopts.h). */
  segHeaders: 54,
  /** app/mqtt/msg_queue.h `msg_queue_t`: calloc'd per queued message by msg_enqueue() (msg_queue.c), plus calloc(length) for its bytes. */
  msgQueueNode: 28,
  /** lwIP `struct dhcp` (app/include/lwip/dhcp.h): mem_malloc'd by dhcp_start() for the station. */
  dhcp: 64,
};

/**
 * One heap block for a request of `n` bytes. The SDK's allocator (pvPortMalloc, closed source)
 * is taken as FreeRTOS heap_4-like: an 8-byte block header and 8-byte granularity. An estimate,
 * stated as such: NodeMCU's sources do not contain the allocator.
 */
export function blockBytes(n: number): number {
  return 8 + Math.ceil(n / 8) * 8;
}

/** A segment sent without copying (espconn's default): its tcp_seg, a header pbuf and a PBUF_REF pbuf for the data. */
export const SEGMENT_BYTES = blockBytes(C_SIZE.tcpSeg) + blockBytes(C_SIZE.pbuf + C_SIZE.segHeaders) + blockBytes(C_SIZE.pbuf);

export function chargeC(bytes: number): void {
  K.cBytes += bytes;
}

export function releaseC(bytes: number): void {
  K.cBytes = Math.max(0, K.cBytes - bytes);
}
