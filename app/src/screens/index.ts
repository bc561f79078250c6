/**
 * Every screen of the app, in navigation order. Each role's screens live in their own folder (holder/,
 * refurbisher/, auditor/, admin/); a screen appears in the navigation for the roles the chain gives the account.
 */
import type { Screen } from "../context.ts";
import { auditorsScreen } from "./admin/auditors.ts";
import { batchesScreen } from "./admin/batches.ts";
import { participantsScreen } from "./admin/participants.ts";
import { reviewQueueScreen } from "./auditor/queue.ts";
import { reviewScreen } from "./auditor/review.ts";
import { homeScreen } from "./home.ts";
import { approvalsScreen } from "./holder/approvals.ts";
import { deliveriesScreen } from "./holder/deliveries.ts";
import { portfolioScreen } from "./holder/portfolio.ts";
import { reportScreen } from "./holder/report.ts";
import { retireScreen } from "./holder/retire.ts";
import { retirementsScreen } from "./holder/retirements.ts";
import { transferScreen } from "./holder/transfer.ts";
import { offerBookScreen } from "./market/offers.ts";
import { reservationsScreen } from "./market/reservations.ts";
import { sellScreen } from "./market/sell.ts";
import { deliverySendScreen } from "./refurbisher/deliveries.ts";
import { lotUploadScreen } from "./refurbisher/lot-upload.ts";
import { myLotsScreen } from "./refurbisher/lots.ts";

export const SCREENS: readonly Screen[] = [
  homeScreen,
  portfolioScreen,
  transferScreen,
  retireScreen,
  retirementsScreen,
  deliveriesScreen,
  approvalsScreen,
  reportScreen,
  offerBookScreen,
  sellScreen,
  reservationsScreen,
  lotUploadScreen,
  myLotsScreen,
  deliverySendScreen,
  reviewQueueScreen,
  reviewScreen,
  participantsScreen,
  auditorsScreen,
  batchesScreen,
];
