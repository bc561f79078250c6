/**
 * Every screen of the app, in navigation order. Each role's screens live in their own folder (holder/,
 * refurbisher/, auditor/, admin/); a screen appears in the navigation for the roles the chain gives the account.
 */
import type { Screen } from "../context.ts";
import { reviewQueueScreen } from "./auditor/queue.ts";
import { reviewScreen } from "./auditor/review.ts";
import { homeScreen } from "./home.ts";

export const SCREENS: readonly Screen[] = [homeScreen, reviewQueueScreen, reviewScreen];
