/** Shapes the listeners share, declared once. */
import type { AllMiddlewareArgs, BlockAction, BlockElementAction, SlackActionMiddlewareArgs, ViewStateValue } from '@slack/bolt';

/** What a listener of a click on a message or view gets. */
export type ClickArgs<A extends BlockElementAction = BlockElementAction> = SlackActionMiddlewareArgs<BlockAction<A>> & AllMiddlewareArgs;

/** A submitted view's inputs: block id, then action id. */
export type ViewValues = Record<string, Record<string, ViewStateValue>>;
