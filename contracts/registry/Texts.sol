// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Texts
 * @notice Checks on the texts the registry stores or emits. Every text must be valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF): ABI decoders such as ethers' throw on anything else, so one
 * malformed purpose could stop every indexer that reads it, and strict JSON decoders reject token metadata holding it.
 */
library Texts {
    /// @dev The top bit of each of 32 bytes: a word with none of them set is 32 ASCII bytes.
    uint256 private constant HIGH_BITS = 0x8080808080808080808080808080808080808080808080808080808080808080;

    /**
     * @notice Whether `text` is valid UTF-8.
     * @dev ASCII — nearly every text here — is checked a word (32 bytes) at a time, the tail of the string with the
     * bytes past its end masked off, rather than in a loop per byte. Texts in calldata go through {isUtf8Calldata}.
     */
    function isUtf8(bytes memory text) internal pure returns (bool) {
        uint256 n = text.length;
        uint256 i = 0;
        while (i < n) {
            uint256 word;
            // Reading past the end of `text` in memory is harmless: the bytes beyond `n` are masked off below.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                word := mload(add(add(text, 32), i))
            }
            uint256 left = n - i;
            uint256 mask = left >= 32 ? HIGH_BITS : HIGH_BITS & ~(type(uint256).max >> (left * 8));
            if (word & mask == 0) {
                i += 32;
                continue;
            }
            uint8 c = uint8(text[i]);
            if (c < 0x80) {
                ++i;
                continue;
            }
            uint256 follow;
            uint8 lo = 0x80;
            uint8 hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                follow = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                follow = 2;
                if (c == 0xE0) lo = 0xA0; // no overlong 3-byte forms
                if (c == 0xED) hi = 0x9F; // no UTF-16 surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                follow = 3;
                if (c == 0xF0) lo = 0x90; // no overlong 4-byte forms
                if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                return false;
            }
            if (follow >= n - i) return false;
            uint8 c1 = uint8(text[i + 1]);
            if (c1 < lo || c1 > hi) return false;
            for (uint256 k = 2; k <= follow; ++k) {
                uint8 ck = uint8(text[i + k]);
                if (ck < 0x80 || ck > 0xBF) return false;
            }
            i += follow + 1;
        }
        return true;
    }

    /**
     * @notice {isUtf8} of a text in calldata, without copying it when it is ASCII (nearly every text here is): its
     * words are checked in place, and only a text with a non-ASCII byte is copied to memory and checked by {isUtf8}.
     * @dev Saves `issue` and `retire` the copy of their texts, ~450 gas per text (test/contracts/gas.test.ts).
     */
    function isUtf8Calldata(bytes calldata text) internal pure returns (bool) {
        bool ascii = true;
        // Past the end of `text` lie other calldata (or zeros): masked off, so that they do not send an ASCII text
        // down the copying path — which checks exactly `text`, so the answer never depends on them.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let end := add(text.offset, text.length)
            for {
                let p := text.offset
            } lt(p, end) {
                p := add(p, 32)
            } {
                let word := and(calldataload(p), HIGH_BITS)
                let left := sub(end, p)
                if lt(left, 32) {
                    word := and(word, not(shr(mul(left, 8), not(0))))
                }
                if word {
                    ascii := 0
                    break
                }
            }
        }
        return ascii || isUtf8(text);
    }

    /**
     * @notice Whether `text` can go into the metadata JSON and its SVG image as it is: no `"` or `\` (they would
     * end or escape a JSON string), no `<`, `>` or `&` (markup in the SVG) and no control character.
     */
    function isMarkupSafe(bytes memory text) internal pure returns (bool) {
        for (uint256 i = 0; i < text.length; ++i) {
            bytes1 c = text[i];
            if (c == 0x22 || c == 0x5c || c == 0x3c || c == 0x3e || c == 0x26 || uint8(c) < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
