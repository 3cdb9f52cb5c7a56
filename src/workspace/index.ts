export { Workspace, type WorkspaceOptions } from './workspace.js';
export { slackSignature, sendToApp, type AppAnswer, type RawRequest } from './driver/signing.js';
export type { ApiCall, Failure } from './api/index.js';
export type { WorkspaceEvent } from './api/context.js';
export { LOCAL_RESPONDERS, LOCAL_ROTATION } from './state.js';
