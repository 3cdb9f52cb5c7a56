export { Workspace, type WorkspaceOptions } from './workspace.js';
export { slackSignature } from './driver/signing.js';
export { LOCAL_RESPONDERS, LOCAL_ROTATION } from './state.js';
