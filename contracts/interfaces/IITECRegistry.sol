// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {IAccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC5313} from "@openzeppelin/contracts/interfaces/IERC5313.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC1155MetadataURI} from "@openzeppelin/contracts/token/ERC1155/extensions/IERC1155MetadataURI.sol";

import {IITECRegistryAdmin} from "./IITECRegistryAdmin.sol";
import {IITECRegistryCore} from "./IITECRegistryCore.sol";

/**
 * @title I-TEC Registry — IT Asset Reuse Certificates
 * @notice The whole surface of a deployed registry, the ABI integrators use (sdk/src/abi.ts is generated from it).
 *
 * One ERC-1155 token id per audited batch of refurbished devices of one category. One token (one I-TEC) stands
 * for one eligible refurbished device and carries the batch's per-device attributes: the baseline intensity `B̄` of
 * the new equivalent and the verified reduction `V̄`, in integer grams CO2e per device (docs/methodology.md).
 * Certificates are minted only against an attestation signed by accredited auditors of at least
 * `auditorThreshold()` distinct auditing bodies (EIP-712, domain bound to this chain and contract), move only
 * between admitted, active participants, and are retired by burning them against a claim kept in contract state.
 * A batch found wrong is reversed: its outstanding certificates are cancelled and every claim on it reads
 * `Reversed` until it is replaced with certificates of the same category.
 *
 * The admin is one account (`defaultAdmin()`, also ERC-5313 `owner()`) changed only in two steps with a delay
 * (OpenZeppelin AccessControlDefaultAdminRules); admin, issuer and auditors must be separate keys (the contract
 * refuses one account in two of these roles).
 * test/contracts/surface.test.ts proves that this interface and the two contracts behind it
 * ({ITECRegistry}, {ITECRegistryExtension}) declare exactly the same functions, events and errors.
 */
interface IITECRegistry is
    IITECRegistryCore,
    IITECRegistryAdmin,
    IERC1155MetadataURI,
    IERC1155Errors,
    IAccessControlDefaultAdminRules,
    IERC5313,
    IERC5267
{
    /// @notice Role of the oracle account that posts attestations: keccak256("ITEC_ISSUER_ROLE").
    function ISSUER_ROLE() external view returns (bytes32);

    /// @notice The admin role (OpenZeppelin AccessControl): 0x00.
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);

    /// @notice EIP-712 type hash of {IITECRegistryTypes-Attestation}.
    function ATTESTATION_TYPEHASH() external view returns (bytes32);

    /// @notice Highest device category code (1 laptop … 6 server).
    function MAX_CATEGORY() external view returns (uint8);

    /// @notice Longest accepted reason / purpose / evidence URI, in bytes.
    function MAX_TEXT_BYTES() external view returns (uint256);

    /// @notice The ITECRegistryExtension the registry delegates its governance paths to.
    function extension() external view returns (address);

    /// @notice The contract that renders token metadata (deployed by the extension).
    function RENDERER() external view returns (address);

    /// @notice The register of other schemes' device sets (deployed by the extension, `IExternalDeviceSets`).
    function EXTERNAL_DEVICE_SETS() external view returns (address);

    /// @notice Longest accepted organisation name, in bytes.
    function MAX_NAME_BYTES() external view returns (uint256);
}
