// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Template
 * @notice Fills a text template whose placeholders are single control bytes: byte `k` (0x00..0x1f) stands for
 * `values[k]`.
 * @dev Why templates instead of `string.concat` with every fragment as an argument: each argument of a concat is
 * copying code of its own, and the metadata with its card has some 150 of them; built that way the renderer was
 * 13.0 kB of bytecode, with templates 8.1 kB (it counts inside the registry's init code). A template is data, and
 * one loop fills it.
 * Control bytes can stand for values because no text the metadata shows contains one (the registry refuses them
 * in names, parameters and URIs), and values are copied, never scanned.
 */
library Template {
    /// @notice `template` with each byte `k` < 0x20 replaced by `values[k]`; reverts when `k` >= `values.length`.
    function fill(bytes memory template, string[] memory values) internal pure returns (string memory out) {
        // One pass in assembly: in Solidity (bounds-checked byte reads, and a second pass to size the result) the
        // loop cost some 90 gas per template byte and rendering a batch about 975k gas; this way 466k. The result is
        // written at the free memory pointer (unallocated memory may be used) and allocated when its length is
        // known; `mcopy` moves each run of literal text and each value in one step.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            out := mload(0x40)
            let to := add(out, 0x20)
            let start := add(template, 0x20) // first template byte not copied yet
            let end := add(start, mload(template))
            let count := mload(values)
            for {
                let p := start
            } lt(p, end) {
                p := add(p, 1)
            } {
                let k := byte(0, mload(p))
                if lt(k, 0x20) {
                    if iszero(lt(k, count)) {
                        revert(0, 0)
                    }
                    mcopy(to, start, sub(p, start))
                    to := add(to, sub(p, start))
                    let value := mload(add(values, mul(add(k, 1), 0x20)))
                    mcopy(to, add(value, 0x20), mload(value))
                    to := add(to, mload(value))
                    start := add(p, 1)
                }
            }
            mcopy(to, start, sub(end, start))
            to := add(to, sub(end, start))
            mstore(out, sub(to, add(out, 0x20)))
            mstore(0x40, and(add(to, 0x1f), not(0x1f)))
        }
    }
}
