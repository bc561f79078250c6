// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Template} from "./Template.sol";

/**
 * @title MetadataFormat
 * @notice How token metadata writes numbers, masses, dates and card text: decimal digits, kilograms with three
 * decimals, ISO-8601 calendar dates and XML character data.
 * @dev One small digit routine serves every number, padded or not, in place of OpenZeppelin's `toString` plus
 * padding code: the renderer's bytecode counts inside the registry's init code.
 */
library MetadataFormat {
    /// @notice `n` in decimal, left-padded with zeros to at least `width` digits: (7, 3) → "007".
    function decimal(uint256 n, uint256 width) internal pure returns (string memory) {
        uint256 digits = 1;
        for (uint256 m = n / 10; m != 0; m /= 10) ++digits;
        if (digits < width) digits = width;
        bytes memory text = new bytes(digits);
        // Cannot underflow: `i` runs from `digits` down to 1. Cannot overflow: 48 + a digit is an ASCII digit.
        unchecked {
            for (uint256 i = digits; i != 0; n /= 10) text[--i] = bytes1(uint8(48 + (n % 10)));
        }
        return string(text);
    }

    /// @notice Integer grams as kilograms with exactly three decimals: 189413 → "189.413", 7 → "0.007".
    function kg(uint256 grams) internal pure returns (string memory) {
        return string.concat(decimal(grams / 1000, 1), ".", decimal(grams % 1000, 3));
    }

    /**
     * @notice `t` (seconds since 1970-01-01T00:00:00Z) as the UTC calendar date `YYYY-MM-DD` (proleptic
     * Gregorian; years after 9999 get more digits).
     * @dev Howard Hinnant's `civil_from_days`, the inverse of `days_from_civil`
     * (https://howardhinnant.github.io/date_algorithms.html), restricted to days on or after 1970-01-01 so every
     * quantity is unsigned. It counts in 400-year eras of 146,097 days, each year starting on 1 March so that the
     * leap day is the last day of a year.
     */
    function isoDate(uint40 t) internal pure returns (string memory) {
        uint256 year;
        uint256 month;
        uint256 day;
        // Cannot overflow: `t` < 2^40, so no product exceeds 2^60. Cannot underflow: each subtraction removes a
        // part of the quantity it is taken from (the algorithm's invariants doe < 146097, yoe < 400, doy < 366,
        // mp < 12).
        unchecked {
            uint256 z = t / 86_400 + 719_468; // days since 0000-03-01
            uint256 era = z / 146_097;
            uint256 doe = z - era * 146_097; // day of the era
            uint256 yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // year of the era
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the year from 1 March
            uint256 mp = (5 * doy + 2) / 153; // month from March
            day = doy - (153 * mp + 2) / 5 + 1;
            month = mp < 10 ? mp + 3 : mp - 9;
            year = era * 400 + yoe + (month < 3 ? 1 : 0);
        }
        return string.concat(decimal(year, 4), "-", decimal(month, 2), "-", decimal(day, 2));
    }

    /**
     * @notice `text` as XML character data: `&`, `<` and `>` become entities (quotes matter only inside
     * attributes, and no text goes into one).
     * @dev The text becomes a {Template} whose placeholders are those three characters. Requires `text` to hold
     * no control byte, which the registry refuses in every text it stores.
     */
    function xmlEscape(string memory text) internal pure returns (string memory) {
        bytes memory t = bytes(string.concat(text)); // a copy: the caller's text stays as it is
        for (uint256 i; i < t.length; ++i) {
            bytes1 c = t[i];
            if (c == "&") t[i] = 0x00;
            else if (c == "<") t[i] = 0x01;
            else if (c == ">") t[i] = 0x02;
        }
        string[] memory entities = new string[](3);
        (entities[0], entities[1], entities[2]) = ("&amp;", "&lt;", "&gt;");
        return Template.fill(t, entities);
    }
}
