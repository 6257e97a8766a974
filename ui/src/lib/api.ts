// The only module that talks to the shell. Every command's input and output
// types come from src/bindings/, generated from the Rust DTOs by ts-rs.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { open as openDialog, save as saveDialog } from '@tauri-apps/plugin-dialog';
import type { AssignForm } from '../bindings/AssignForm';
import type { CommandError } from '../bindings/CommandError';
import type { StaffDto } from '../bindings/StaffDto';
import type { StaffForm } from '../bindings/StaffForm';
import type { StationDto } from '../bindings/StationDto';
import type { SupervisionLinkDto } from '../bindings/SupervisionLinkDto';
import type { ActionItemDto } from '../bindings/ActionItemDto';
import type { DraftDto } from '../bindings/DraftDto';
import type { RecordDto } from '../bindings/RecordDto';
import type { RecordForm } from '../bindings/RecordForm';
import type { RecordSummaryDto } from '../bindings/RecordSummaryDto';
import type { CaseDto } from '../bindings/CaseDto';
import type { CaseForm } from '../bindings/CaseForm';
import type { CaseSummaryDto } from '../bindings/CaseSummaryDto';
import type { ConsentForm } from '../bindings/ConsentForm';
import type { ContactForm } from '../bindings/ContactForm';
import type { FlagDto } from '../bindings/FlagDto';
import type { GroupDto } from '../bindings/GroupDto';
import type { GroupForm } from '../bindings/GroupForm';
import type { GroupSessionForm } from '../bindings/GroupSessionForm';
import type { IdentityForm } from '../bindings/IdentityForm';
import type { RetentionDueDto } from '../bindings/RetentionDueDto';
import type { PurgeReportDto } from '../bindings/PurgeReportDto';
import type { WorkloadDto } from '../bindings/WorkloadDto';
import type { TrainingSummaryDto } from '../bindings/TrainingSummaryDto';
import type { TrainingDto } from '../bindings/TrainingDto';
import type { TrainingForm } from '../bindings/TrainingForm';
import type { TrainerDto } from '../bindings/TrainerDto';
import type { SignInForm } from '../bindings/SignInForm';
import type { LedgerDto } from '../bindings/LedgerDto';
import type { AssessmentForm } from '../bindings/AssessmentForm';
import type { PlanDto } from '../bindings/PlanDto';
import type { ImportForm } from '../bindings/ImportForm';
import type { ImportPreviewDto } from '../bindings/ImportPreviewDto';
import type { PlanItemForm } from '../bindings/PlanItemForm';
import type { SupervisorMonthDto } from '../bindings/SupervisorMonthDto';
import type { TrendPointDto } from '../bindings/TrendPointDto';
import type { PolicyDto } from '../bindings/PolicyDto';
import type { PolicyFigureDto } from '../bindings/PolicyFigureDto';
import type { PolicyChangeDto } from '../bindings/PolicyChangeDto';
import type { PolicyChangeForm } from '../bindings/PolicyChangeForm';
import type { ConflictDto } from '../bindings/ConflictDto';
import type { ExportResultDto } from '../bindings/ExportResultDto';
import type { PeerDto } from '../bindings/PeerDto';
import type { SyncImportDto } from '../bindings/SyncImportDto';
import type { SyncProgressDto } from '../bindings/SyncProgressDto';
import type { SyncStatusDto } from '../bindings/SyncStatusDto';
import type { SyncSummaryDto } from '../bindings/SyncSummaryDto';
import type { VaultStatusDto } from '../bindings/VaultStatusDto';
import type { NewPassphraseForm } from '../bindings/NewPassphraseForm';
import type { ChangePassphraseForm } from '../bindings/ChangePassphraseForm';
import type { BackupsDto } from '../bindings/BackupsDto';
import type { AuditFilterForm } from '../bindings/AuditFilterForm';
import type { AuditPageDto } from '../bindings/AuditPageDto';
import type { AuditEntryDto } from '../bindings/AuditEntryDto';
import type { SealReportDto } from '../bindings/SealReportDto';
import type { SealProblemDto } from '../bindings/SealProblemDto';
import { markClosed, whenOpen } from './vault.svelte';

/** Any rejection as the shell's wire error; a foreign one becomes `internal`. */
export function asCommandError(e: unknown): CommandError {
  if (typeof e === 'object' && e !== null && 'kind' in e && 'fields' in e) {
    return e as CommandError;
  }
  return { kind: 'internal', message: String(e), fields: [] };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  for (;;) {
    try {
      return await invoke<T>(command, args);
    } catch (e) {
      const error = asCommandError(e);
      if (error.kind === 'closed') {
        // Locked meanwhile: ask for the passphrase, then send it again.
        markClosed();
        await whenOpen();
        continue;
      }
      console.error(`${command} failed: ${error.message}`);
      throw error;
    }
  }
}

/** The lock's own commands: never held back by the lock. */
async function callVault<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asCommandError(e);
  }
}

/** A channel the shell sends a sync command's progress through. */
function progressChannel(onprogress: (p: SyncProgressDto) => void): Channel<SyncProgressDto> {
  const channel = new Channel<SyncProgressDto>();
  channel.onmessage = onprogress;
  return channel;
}

/** Calls `f` when the start-up check finds the database file damaged. */
export function onDatabaseDamaged(f: () => void): Promise<() => void> {
  return listen('database-damaged', () => f());
}

export const api = {
  vaultStatus: () => callVault<VaultStatusDto>('vault_status'),
  unlock: (passphrase: string, user: string) => callVault<VaultStatusDto>('unlock', { passphrase, user }),
  setUpPassphrase: (form: NewPassphraseForm) => callVault<VaultStatusDto>('set_up_passphrase', { form }),
  lock: () => callVault<VaultStatusDto>('lock'),
  restoreLatest: (passphrase: string, user: string) =>
    callVault<VaultStatusDto>('restore_latest', { passphrase, user }),
  changePassphrase: (form: ChangePassphraseForm) => call<null>('change_passphrase', { form }),
  listBackups: () => call<BackupsDto>('list_backups_cmd'),
  makeBackup: () => call<BackupsDto>('make_backup'),
  restoreBackup: (path: string) => call<BackupsDto>('restore_backup', { path }),
  listStations: () => call<StationDto[]>('list_stations'),
  listStaff: (stationId: number) => call<StaffDto[]>('list_staff', { stationId }),
  createStaff: (form: StaffForm) => call<StaffDto>('create_staff', { form }),
  updateStaff: (id: number, form: StaffForm) => call<StaffDto>('update_staff', { id, form }),
  supervisorCandidates: (superviseeId: number) => call<StaffDto[]>('supervisor_candidates', { superviseeId }),
  assignSupervisor: (form: AssignForm) => call<StaffDto>('assign_supervisor', { form }),
  supervisionHistory: (staffId: number) => call<SupervisionLinkDto[]>('supervision_history', { staffId }),
  listRecords: (supervisorId: number | null) => call<RecordSummaryDto[]>('list_records', { supervisorId }),
  listSupervisors: () => call<StaffDto[]>('list_supervisors'),
  listSupervisees: (supervisorId: number) => call<StaffDto[]>('list_supervisees', { supervisorId }),
  getRecord: (id: number) => call<RecordDto>('get_record', { id }),
  createRecord: (form: RecordForm) => call<RecordDto>('create_record', { form }),
  updateRecord: (id: number, form: RecordForm) => call<RecordDto>('update_record', { id, form }),
  signRecord: (id: number, staffId: number) => call<RecordDto>('sign_record', { id, staffId }),
  amendRecord: (id: number, field: string, text: string, reason: string, by: string) =>
    call<RecordDto>('amend_record', { id, field, text, reason, by }),
  openItems: (ownerIds: number[]) => call<ActionItemDto[]>('open_items', { ownerIds }),
  listActionItems: (openOnly: boolean) => call<ActionItemDto[]>('list_action_items', { openOnly }),
  setItemDone: (itemId: number, done: string, note: string) => call<null>('set_item_done', { itemId, done, note }),
  saveDraft: (key: string, body: string) => call<null>('save_draft', { key, body }),
  listDrafts: (prefix: string) => call<DraftDto[]>('list_drafts', { prefix }),
  exportRecordPdf: (id: number) => call<string>('export_record_pdf', { id }),
  deleteDraft: (key: string) => call<null>('delete_draft', { key }),
  listCases: (stationId: number, ownerId: number | null, openOnly: boolean) =>
    call<CaseSummaryDto[]>('list_cases', { stationId, ownerId, openOnly }),
  getCase: (id: number) => call<CaseDto>('get_case', { id }),
  createCase: (form: CaseForm, identity: IdentityForm | null) => call<CaseDto>('create_case', { form, identity }),
  updateCase: (id: number, form: CaseForm) => call<CaseDto>('update_case', { id, form }),
  setIdentity: (caseId: number, form: IdentityForm) => call<CaseDto>('set_identity', { caseId, form }),
  addContact: (caseId: number, form: ContactForm) => call<CaseDto>('add_contact', { caseId, form }),
  addConsent: (caseId: number, form: ConsentForm) => call<CaseDto>('add_consent', { caseId, form }),
  pastRetention: (stationId: number) => call<RetentionDueDto[]>('past_retention', { stationId }),
  purgeCase: (caseId: number, confirm: string, by: string) =>
    call<PurgeReportDto>('purge_case', { caseId, confirm, by }),
  listGroups: (stationId: number) => call<GroupDto[]>('list_groups', { stationId }),
  createGroup: (form: GroupForm) => call<number>('create_group', { form }),
  addGroupSession: (groupId: number, form: GroupSessionForm) => call<number>('add_group_session', { groupId, form }),
  overdue: (supervisorId: number | null, stationId: number | null) =>
    call<FlagDto[]>('overdue', { supervisorId, stationId }),
  workload: (month: string, supervisorId: number | null, stationId: number | null) =>
    call<WorkloadDto>('workload', { month, supervisorId, stationId }),
  exportWorkload: (month: string, stationId: number | null, format: 'xlsx' | 'pdf') =>
    call<string>('export_workload', { month, stationId, format }),
  policySettings: (month: string) => call<PolicyDto>('policy_settings', { month }),
  setPolicy: (form: PolicyChangeForm) => call<PolicyDto>('set_policy', { form }),
  listTrainings: (stationId: number) => call<TrainingSummaryDto[]>('list_trainings', { stationId }),
  getTraining: (id: number) => call<TrainingDto>('get_training', { id }),
  listTrainers: () => call<TrainerDto[]>('list_trainers'),
  addTrainer: (name: string, unit: string, expertise: string) =>
    call<TrainerDto[]>('add_trainer', { name, unit, expertise }),
  createTraining: (form: TrainingForm) => call<TrainingDto>('create_training', { form }),
  signIn: (trainingId: number, form: SignInForm) => call<TrainingDto>('sign_in', { trainingId, form }),
  assess: (trainingId: number, form: AssessmentForm) => call<TrainingDto>('assess', { trainingId, form }),
  hoursLedger: (stationId: number) => call<LedgerDto[]>('hours_ledger', { stationId }),
  exportSigninPdf: (id: number) => call<string>('export_signin_pdf', { id }),
  exportHoursXlsx: (stationId: number) => call<string>('export_hours_xlsx', { stationId }),
  importPreview: (form: ImportForm) => call<ImportPreviewDto>('import_preview', { form }),
  importApply: (form: ImportForm) => call<number>('import_apply', { form }),
  importTemplate: (kind: string) => call<string>('import_template', { kind }),
  trainingPlan: (stationId: number, year: number) => call<PlanDto>('training_plan', { stationId, year }),
  addPlanItem: (stationId: number, form: PlanItemForm) => call<PlanDto>('add_plan_item', { stationId, form }),
  dropPlanItem: (stationId: number, year: number, id: number, reason: string, changedBy: string) =>
    call<PlanDto>('drop_plan_item', { stationId, year, id, reason, changedBy }),
  syncStatus: () => call<SyncStatusDto>('sync_status'),
  /** `path` or `peer` null: the export folder, everything. Progress arrives as the rows are read. */
  exportBundle: (path: string | null, peer: string | null, onprogress: (p: SyncProgressDto) => void) =>
    call<ExportResultDto>('export_bundle', { path, peer, onProgress: progressChannel(onprogress) }),
  /** What merging would do; nothing is written. The answer's `sha256` is what `applyBundle` needs. */
  previewBundle: (path: string, onprogress: (p: SyncProgressDto) => void) =>
    call<SyncImportDto>('preview_bundle', { path, onProgress: progressChannel(onprogress) }),
  /** Merges the bundle previewed: refused (`file_changed`) when the file's bytes no longer hash to `sha256`. */
  applyBundle: (path: string, sha256: string, onprogress: (p: SyncProgressDto) => void) =>
    call<SyncImportDto>('apply_bundle', { path, sha256, onProgress: progressChannel(onprogress) }),
  listConflicts: (all: boolean) => call<ConflictDto[]>('list_conflicts', { all }),
  resolveConflict: (id: number, keep: 'winner' | 'loser', by: string) =>
    call<SyncStatusDto>('resolve_conflict', { id, keep, by }),
  /** The system's save dialog for a bundle; null when cancelled. */
  /** One page of the audit log, newest first; a bad date is refused beside its field. */
  auditEntries: (filter: AuditFilterForm, page: number) => call<AuditPageDto>('audit_entries', { filter, page }),
  /** Every entry the filters let through, as CSV in the export folder; answers the file's path. */
  exportAudit: (filter: AuditFilterForm) => call<string>('export_audit', { filter }),
  /** Recomputes the signed records' seal chains. */
  verifySeals: () => call<SealReportDto>('verify_seals'),
  chooseSavePath: (title: string, defaultPath: string, kindName: string) =>
    saveDialog({ title, defaultPath, filters: [{ name: kindName, extensions: ['sdsync'] }] }),
  /** The system's open dialog for a bundle; null when cancelled. */
  chooseOpenPath: (title: string, kindName: string) =>
    openDialog({ title, multiple: false, directory: false, filters: [{ name: kindName, extensions: ['sdsync'] }] }),
};

export type {
  ConflictDto,
  ExportResultDto,
  PeerDto,
  SyncImportDto,
  SyncProgressDto,
  SyncStatusDto,
  SyncSummaryDto,
  TrainingSummaryDto,
  TrainingDto,
  TrainingForm,
  TrainerDto,
  SignInForm,
  LedgerDto,
  AssessmentForm,
  PlanDto,
  PlanItemForm,
  ImportForm,
  ImportPreviewDto,
  WorkloadDto,
  SupervisorMonthDto,
  TrendPointDto,
  PolicyDto,
  PolicyFigureDto,
  PolicyChangeDto,
  PolicyChangeForm,
  CaseDto,
  CaseForm,
  CaseSummaryDto,
  ConsentForm,
  ContactForm,
  FlagDto,
  GroupDto,
  GroupForm,
  GroupSessionForm,
  IdentityForm,
  RetentionDueDto,
  PurgeReportDto,
  ActionItemDto,
  AssignForm,
  CommandError,
  DraftDto,
  RecordDto,
  RecordForm,
  RecordSummaryDto,
  StaffDto,
  StaffForm,
  StationDto,
  SupervisionLinkDto,
  VaultStatusDto,
  BackupsDto,
  AuditFilterForm,
  AuditPageDto,
  AuditEntryDto,
  SealReportDto,
  SealProblemDto,
};
