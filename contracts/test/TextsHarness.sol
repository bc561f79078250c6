// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Texts} from "../registry/Texts.sol";

/// @notice Test-only: exposes the registry's text checks ({Texts}) to differential tests. Never deployed elsewhere.
contract TextsHarness {
    function isUtf8(bytes calldata text) external pure returns (bool) {
        return Texts.isUtf8(text);
    }

    function isUtf8Calldata(bytes calldata text) external pure returns (bool) {
        return Texts.isUtf8Calldata(text);
    }

    /// @notice {Texts-isUtf8Calldata} of the first `length` bytes of `data`: what follows them is still calldata.
    function isUtf8CalldataPrefix(bytes calldata data, uint256 length) external pure returns (bool) {
        return Texts.isUtf8Calldata(data[:length]);
    }

    function isMarkupSafe(bytes calldata text) external pure returns (bool) {
        return Texts.isMarkupSafe(text);
    }

    /**
     * @notice {Texts-isUtf8} of `text` laid out in memory right before 64 bytes of 0xff, so the word-wise ASCII fast
     * path must mask off what lies past the end of the string.
     */
    function isUtf8BeforeJunk(bytes calldata text) external pure returns (bool) {
        bytes memory buffer = bytes.concat(text, bytes32(type(uint256).max), bytes32(type(uint256).max));
        uint256 n = text.length;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(buffer, n) // shorten the string in place: the 0xff bytes now lie just past its end
        }
        return Texts.isUtf8(buffer);
    }
}
