/** Audit logging (upstream --audit-policy-file, --audit-log-path): public surface. */
export { Auditor, annotateRequest, fileSink, microTime, recordRequestBody, type AuditEvent, type AuditSink } from './auditor.js';
export { loadPolicy, parsePolicy, ruleFor, levelAtLeast, type Level, type Policy, type PolicyRule, type Stage } from './policy.js';
