"""Just enough H.264 bitstream handling to repeat one encoded picture without encoding it again.

A held picture (a ``wait``) is encoded by x264 once as an IDR frame and once as a P frame whose
source equals the IDR's decoded picture: every macroblock is skipped, so decoding that P frame
over any reference showing the same picture gives the same picture again. Its slice can be
sent for every further frame of the hold; only the two numbers that must advance from one
reference frame to the next change, ``frame_num`` and ``pic_order_cnt_lsb``. Both are
fixed-width fields near the start of the slice header, so they are rewritten in place and the
rest of the slice (its CABAC data included) is copied as it is.

Packets here are Annex B (start codes), as libx264 writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: NAL unit types used here.
NAL_SLICE, NAL_IDR, NAL_SPS = 1, 5, 7
#: profile_idc values whose SPS carries chroma format and bit depths (H.264 7.3.2.1.1).
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B byte string, start codes removed.

    >>> nal_units(bytes([0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2]))
    [b'g\\x01', b'h\\x02']
    """
    units, start, i = [], None, 0
    while i + 2 < len(data):
        if data[i] == 0 and data[i + 1] == 0 and data[i + 2] == 1:
            if start is not None:
                units.append(data[start:i].rstrip(b"\0"))
            i += 3
            start = i
        else:
            i += 1
    if start is not None:
        units.append(data[start:])
    return units


def annex_b(units: list[bytes]) -> bytes:
    """NAL units joined with four-byte start codes.

    >>> annex_b([b"g", b"h"])
    b'\\x00\\x00\\x00\\x01g\\x00\\x00\\x00\\x01h'
    """
    return b"".join(b"\0\0\0\1" + unit for unit in units)


def unescape(payload: bytes) -> bytes:
    """The RBSP of a NAL payload: each emulation prevention byte (00 00 03) dropped.

    >>> unescape(bytes([0, 0, 3, 1]))
    b'\\x00\\x00\\x01'
    """
    out, zeros = bytearray(), 0
    for byte in payload:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def escape(rbsp: bytes) -> bytes:
    """A NAL payload from an RBSP: 03 inserted wherever 00 00 is followed by 00 to 03.

    >>> escape(bytes([0, 0, 1]))
    b'\\x00\\x00\\x03\\x01'
    """
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


class _Bits:
    """Reads an RBSP bit by bit, MSB first."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            value = (value << 1) | ((self.data[self.pos >> 3] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)


@dataclass(frozen=True)
class Sps:
    """The SPS fields a slice header's numbering depends on."""

    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int  #: 0 unless poc_type is 0
    separate_colour_plane: bool


def parse_sps(extradata: bytes) -> Sps | None:
    """The first SPS in Annex B ``extradata``; None if there is none or it is of a kind the
    slice rewriting does not handle (scaling matrices, picture order count type 1)."""
    for unit in nal_units(extradata):
        if unit and unit[0] & 0x1F == NAL_SPS:
            bits = _Bits(unescape(unit[1:]))
            profile = bits.u(8)
            bits.u(16)  # constraint flags, level
            bits.ue()  # seq_parameter_set_id
            separate = False
            if profile in _HIGH_PROFILES:
                if bits.ue() == 3:
                    separate = bool(bits.u(1))
                bits.ue()
                bits.ue()  # bit depths
                bits.u(1)
                if bits.u(1):  # seq_scaling_matrix_present_flag
                    return None
            log2_frame_num = bits.ue() + 4
            poc_type = bits.ue()
            if poc_type == 1:
                return None
            log2_poc = bits.ue() + 4 if poc_type == 0 else 0
            return Sps(log2_frame_num, poc_type, log2_poc, separate)
    return None


def slice_numbers(unit: bytes, sps: Sps) -> tuple[int, int, int]:
    """Where ``frame_num`` starts in a slice NAL's RBSP (bits, after the NAL header byte), its
    value and the ``pic_order_cnt_lsb`` after it (0 when the SPS has none)."""
    bits = _Bits(unescape(unit[1:]))
    bits.ue()  # first_mb_in_slice
    bits.ue()  # slice_type
    bits.ue()  # pic_parameter_set_id
    if sps.separate_colour_plane:
        bits.u(2)
    at = bits.pos
    frame_num = bits.u(sps.log2_max_frame_num)
    poc = bits.u(sps.log2_max_poc_lsb) if sps.poc_type == 0 else 0
    return at, frame_num, poc


def renumber(unit: bytes, sps: Sps, frame_num: int, poc_lsb: int) -> bytes:
    """A non-IDR slice NAL with ``frame_num`` and ``pic_order_cnt_lsb`` replaced (taken modulo
    their ranges); every other bit is kept."""
    at, _, _ = slice_numbers(unit, sps)
    rbsp = bytearray(unescape(unit[1:]))
    fields = [(sps.log2_max_frame_num, frame_num % (1 << sps.log2_max_frame_num))]
    if sps.poc_type == 0:
        fields.append((sps.log2_max_poc_lsb, poc_lsb % (1 << sps.log2_max_poc_lsb)))
    for width, value in fields:
        for i in range(width):
            bit = (value >> (width - 1 - i)) & 1
            byte, shift = at >> 3, 7 - (at & 7)
            rbsp[byte] = (rbsp[byte] & ~(1 << shift)) | (bit << shift)
            at += 1
    return unit[:1] + escape(bytes(rbsp))
