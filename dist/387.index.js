export const id = 387;
export const ids = [387];
export const modules = {

/***/ 9387:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  prepareProfile: () => (/* binding */ prepareProfile)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 12 modules
var core = __webpack_require__(3705);
// EXTERNAL MODULE: ./src/common/log.ts
var log = __webpack_require__(1095);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/aws/arn.ts
var arn = __webpack_require__(1626);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/common/errors.ts
var errors = __webpack_require__(1922);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/aws/file-lock.ts




const LOCK_WAIT_MS = 20_000;
const LOCK_STALE_MS = 10_000;
/** A lock of a dead process on this host is broken only once this old: it may be in another PID namespace. */
const DEAD_OWNER_GRACE_MS = 2_000;
const lockPathOf = (file) => `${file}.lock`;
/** Runs `work` holding the locks of `files` (taken in sorted order, so two jobs cannot deadlock). */
function withFileLocks(files, work, options = {}) {
    const sorted = [...new Set(files)].sort();
    const held = [];
    try {
        for (const file of sorted)
            held.push(acquire(file, options));
        return work();
    }
    finally {
        for (const release of held.reverse())
            release();
    }
}
function acquire(file, { waitMs = LOCK_WAIT_MS, staleMs = LOCK_STALE_MS }) {
    const lock = lockPathOf(file);
    const owner = `${process.pid} ${(0,external_node_os_.hostname)()} ${(0,external_node_crypto_.randomUUID)()}`;
    const deadline = Date.now() + waitMs;
    for (let round = 0;; round++) {
        if (tryCreate(lock, owner, file))
            return () => release(lock, owner);
        breakIfStale(lock, staleMs);
        if (Date.now() >= deadline)
            throw lockTimeoutError(file, lock, waitMs);
        // Jittered, growing a little: 16 jobs contend for a lock each holds for milliseconds.
        sleep(Math.min(200, 5 + round * 5) * (0.5 + Math.random()));
    }
}
function tryCreate(lock, owner, file) {
    let fd;
    try {
        fd = external_node_fs_.openSync(lock, 'wx', 0o600);
    }
    catch (error) {
        const code = error.code;
        if (code === 'EEXIST')
            return false;
        // ENOENT (no directory yet) and EACCES are the caller's to report, naming the file.
        throw Object.assign(error, { path: error.path ?? file });
    }
    try {
        external_node_fs_.writeFileSync(fd, owner);
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
    return true;
}
/** Only the lock this holder created is removed (another may have broken a stale one and taken it). */
function release(lock, owner) {
    try {
        if (external_node_fs_.readFileSync(lock, 'utf8') === owner)
            external_node_fs_.rmSync(lock, { force: true });
    }
    catch {
        // Already gone.
    }
}
/**
 * Breaks the lock when its owner is gone. Breaking is itself done under `<lock>.break` (O_EXCL), and
 * the lock is checked again under it, so two waiters cannot both break it and one delete the lock a
 * third has just taken.
 */
function breakIfStale(lock, staleMs) {
    if (!isStale(lock, staleMs))
        return;
    const breaker = `${lock}.break`;
    let fd;
    try {
        fd = external_node_fs_.openSync(breaker, 'wx', 0o600);
    }
    catch {
        // Another waiter is breaking it; a breaker left by a crash is itself stale after staleMs.
        if (ageOf(breaker) > staleMs)
            external_node_fs_.rmSync(breaker, { force: true });
        return;
    }
    external_node_fs_.closeSync(fd);
    try {
        if (isStale(lock, staleMs))
            external_node_fs_.rmSync(lock, { force: true });
    }
    finally {
        external_node_fs_.rmSync(breaker, { force: true });
    }
}
function isStale(lock, staleMs) {
    const age = ageOf(lock);
    if (age === -1)
        return false;
    if (age > staleMs)
        return true;
    let content = '';
    try {
        content = external_node_fs_.readFileSync(lock, 'utf8');
    }
    catch {
        return false;
    }
    const [pid, host] = content.split(' ');
    // A lock being written (empty for a moment) is not stale.
    return host === (0,external_node_os_.hostname)() && age > DEAD_OWNER_GRACE_MS && !alive(Number(pid));
}
/** Milliseconds since the file was last modified; -1 when it does not exist. */
function ageOf(file) {
    try {
        return Date.now() - external_node_fs_.statSync(file).mtimeMs;
    }
    catch {
        return -1;
    }
}
function alive(pid) {
    if (!Number.isInteger(pid) || pid <= 0)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        // EPERM: it exists, as another user.
        return error.code === 'EPERM';
    }
}
/** The post step and writeProfile are synchronous; the wait between tries blocks, briefly. */
function sleep(ms) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function lockTimeoutError(file, lock, waitMs) {
    return new errors/* ActionError */.l('Shared AWS file is locked', `Could not lock ${file} within ${waitMs / 1000} s: ${lock} is held by another job using the same HOME.`, `If no other job on this machine is writing AWS profiles, delete ${lock}; otherwise give each runner its own HOME or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE.`);
}

;// CONCATENATED MODULE: ./src/aws/shared-file.ts





/**
 * Reading and writing the AWS shared files safely: never through a symbolic link, written whole
 * (temp file + rename) with mode 0600 in a 0700 directory, and file-system failures explained as
 * the user's to fix. Imported by the post step too, so nothing heavy here.
 */
/**
 * Runs `work` (reads and edits of `files`) holding each file's lock, so that jobs sharing a HOME
 * never lose each other's edits. `create`: make a missing directory first (0700); without it a
 * file whose directory is missing is left out, as there is nothing in it to edit.
 */
function shared_file_withSharedFilesLocked(files, create, work) {
    const present = files.filter((file) => (create ? ensureSharedDirectory(file) : checkSharedDirectory(file)));
    try {
        return withFileLocks(present, work);
    }
    catch (error) {
        throw sharedFileError(present[0] ?? files[0] ?? '', 'write', error);
    }
}
/**
 * Before any network call: the file's directory (a symlinked ~/.aws) is not a link. True when
 * something is at the directory's path (anything else in the way fails the write, naming it).
 */
function checkSharedDirectory(file) {
    const dir = external_node_path_.dirname(file);
    let dirStat;
    try {
        dirStat = lstat(dir);
    }
    catch (error) {
        throw sharedFileError(file, 'read', error);
    }
    if (dirStat?.isSymbolicLink())
        throw symlinkError(dir);
    return dirStat !== undefined;
}
function ensureSharedDirectory(file) {
    if (checkSharedDirectory(file))
        return true;
    const dir = external_node_path_.dirname(file);
    try {
        external_node_fs_.mkdirSync(dir, { recursive: true, mode: 0o700 });
        external_node_fs_.chmodSync(dir, 0o700);
    }
    catch (error) {
        throw sharedFileError(file, 'write', error);
    }
    return true;
}
/** Applies `edit` to the file's text; a file left empty is removed. */
function shared_file_editShared(file, edit) {
    const before = readShared(file);
    const after = edit(before);
    if (after === before)
        return;
    if (after.trim() === '') {
        try {
            external_node_fs_.rmSync(file, { force: true });
        }
        catch (error) {
            throw sharedFileError(file, 'write', error);
        }
    }
    else
        writeShared(file, after);
}
/**
 * A file's text, read without following a final symbolic link (ELOOP) and only from a regular file
 * (code EFTYPE otherwise), both checked on the open descriptor so nothing swapped in between a
 * check and the read is what gets read. O_NONBLOCK keeps a FIFO from hanging the open. Credentials
 * and tokens are read through this alone.
 */
function shared_file_readRegularFile(file) {
    const noFollow = external_node_fs_.constants.O_NOFOLLOW ?? 0;
    const fd = external_node_fs_.openSync(file, external_node_fs_.constants.O_RDONLY | noFollow | (external_node_fs_.constants.O_NONBLOCK ?? 0));
    try {
        if (!external_node_fs_.fstatSync(fd).isFile()) {
            throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
        }
        // Windows has no O_NOFOLLOW: a check after the open is the best it gets.
        if (!noFollow && external_node_fs_.lstatSync(file).isSymbolicLink()) {
            throw Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP' });
        }
        return external_node_fs_.readFileSync(fd, 'utf8');
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
}
/** The shared file's text, '' when it does not exist. */
function readShared(file) {
    try {
        const stat = lstat(file);
        if (!stat)
            return '';
        refuseUnsafe(file, stat, 'file');
        return shared_file_readRegularFile(file);
    }
    catch (error) {
        const code = error.code;
        // A link or something else swapped in after the lstat.
        if (code === 'ELOOP')
            throw symlinkError(file, error);
        if (code === 'EFTYPE')
            throw notRegularError(file, 'file');
        throw sharedFileError(file, 'read', error);
    }
}
function writeShared(file, text) {
    try {
        replaceShared(file, text);
    }
    catch (error) {
        throw sharedFileError(file, 'write', error);
    }
}
/** Atomic: readers see the old file or the new one, never half of it; the temp file is 0600 from birth. */
function replaceShared(file, text) {
    const dir = external_node_path_.dirname(file);
    ensureSharedDirectory(file);
    refuseUnsafe(dir, external_node_fs_.lstatSync(dir), 'directory');
    const stat = lstat(file);
    if (stat)
        refuseUnsafe(file, stat, 'file');
    const temp = external_node_path_.join(dir, `.${external_node_path_.basename(file)}.${(0,external_node_crypto_.randomUUID)()}.tmp`);
    const fd = external_node_fs_.openSync(temp, 'wx', 0o600);
    try {
        try {
            external_node_fs_.writeFileSync(fd, text);
            external_node_fs_.fchmodSync(fd, 0o600);
            external_node_fs_.fsyncSync(fd);
        }
        finally {
            external_node_fs_.closeSync(fd);
        }
        external_node_fs_.renameSync(temp, file);
    }
    catch (error) {
        external_node_fs_.rmSync(temp, { force: true });
        throw error;
    }
}
function lstat(file) {
    try {
        return external_node_fs_.lstatSync(file);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }
}
/** A file-system failure (EACCES, ENOTDIR, EROFS...) as the user's to fix, not an STS failure. */
function sharedFileError(file, action, error) {
    const code = error?.code;
    if (error instanceof errors/* ActionError */.l || typeof code !== 'string')
        return error;
    const where = error.path;
    return new errors/* ActionError */.l('Cannot read/write the shared AWS files', `aws-profile / refresh-credentials could not ${action} ${file} (${code}${where && where !== file ? ` at ${where}` : ''}).`, "Let the runner's user read and write that file and its directory, or set AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE to paths in a writable directory (by default they are in $HOME/.aws, so HOME must be writable).", { cause: error });
}
function symlinkError(file, cause) {
    return new errors/* ActionError */.l('Shared AWS file is a symlink', `${file} is a symbolic link; this action does not read or write credentials through links.`, 'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (or ~/.aws) at a real file and directory.', { cause });
}
function refuseUnsafe(file, stat, kind) {
    if (stat.isSymbolicLink())
        throw symlinkError(file);
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory())
        throw notRegularError(file, kind);
}
function notRegularError(file, kind) {
    return new errors/* ActionError */.l(`Shared AWS ${kind} is not a ${kind}`, `${file} is not a regular ${kind}.`, 'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file path.');
}

;// CONCATENATED MODULE: ./src/aws/refresh-health.ts



const MAX_RECORDS = 50;
const MAX_TITLE = 200;
const MAX_FIX = 1000;
/** Past this size the file is cut back to its last MAX_RECORDS records. */
const COMPACT_AT_BYTES = MAX_RECORDS * (MAX_TITLE + MAX_FIX + 200);
/** Pure: the health file for a profile whose config file is `configFile`; `id` makes it this step's. */
function healthFileBeside(configFile, id) {
    return external_node_path_.join(external_node_path_.dirname(configFile), `.aws-credentials-action-${id}.health`);
}
/** Pure: one record as its line, with the texts capped. */
function healthLine(record) {
    const capped = {
        time: record.time,
        ok: record.ok,
        attempts: record.attempts,
        ...(record.title === undefined ? {} : { title: cap(record.title, MAX_TITLE) }),
        ...(record.fix === undefined ? {} : { fix: cap(record.fix, MAX_FIX) }),
    };
    return `${JSON.stringify(capped)}\n`;
}
/**
 * Appends one record (O_APPEND, one write: concurrent refreshers do not interleave), creating the
 * file 0600 and refusing a link or anything but a regular file; a file grown past its bound is cut
 * back to its last records by an atomic replace.
 */
function appendHealth(file, record) {
    const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0);
    const fd = fs.openSync(file, flags | (fs.constants.O_NONBLOCK ?? 0), 0o600);
    let size;
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile())
            throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
        if (!fs.constants.O_NOFOLLOW && fs.lstatSync(file).isSymbolicLink()) {
            throw Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP' });
        }
        fs.writeSync(fd, healthLine(record));
        size = fs.fstatSync(fd).size;
    }
    finally {
        fs.closeSync(fd);
    }
    if (size > COMPACT_AT_BYTES)
        compact(file);
}
/** The records in the file, oldest first; [] when there is none. Lines that are not records are skipped. */
function readHealth(file) {
    let content;
    try {
        content = readRegularFile(file);
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return [];
        throw error;
    }
    return content
        .split('\n')
        .flatMap((line) => {
        const record = parseRecord(line);
        return record ? [record] : [];
    })
        .slice(-MAX_RECORDS);
}
/** Removes the file; a link is removed as the link, never its target. */
function removeHealth(file) {
    fs.rmSync(file, { force: true });
}
function compact(file) {
    const kept = readHealth(file).map(healthLine).join('');
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
        fs.writeFileSync(fd, kept);
    }
    finally {
        fs.closeSync(fd);
    }
    // A record appended between the read and the rename is lost: a count, not an audit log.
    fs.renameSync(temp, file);
}
function parseRecord(line) {
    if (line.trim() === '')
        return undefined;
    try {
        const value = JSON.parse(line);
        if (typeof value.time !== 'string' || typeof value.ok !== 'boolean')
            return undefined;
        const attempts = typeof value.attempts === 'number' && value.attempts >= 0 ? value.attempts : 0;
        return {
            time: cap(value.time, 40),
            ok: value.ok,
            attempts,
            ...(typeof value.title === 'string' ? { title: cap(value.title, MAX_TITLE) } : {}),
            ...(typeof value.fix === 'string' ? { fix: cap(value.fix, MAX_FIX) } : {}),
        };
    }
    catch {
        return undefined;
    }
}
const cap = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// EXTERNAL MODULE: ./src/deliver/state.ts
var deliver_state = __webpack_require__(2327);
;// CONCATENATED MODULE: ./src/deliver/health.ts





/**
 * refresh-credentials with job-summary: a health file of this step's own beside the profile, saved
 * for the post step. Undefined with `job-summary: false`: the refresher then records nothing.
 */
function healthPlan(settings, 
// Only where the profile's files are: health needs nothing else of the profile.
profile, accountId) {
    if (!settings.jobSummary)
        return undefined;
    const state = {
        file: healthFileBeside(profile.files.config, (0,external_node_crypto_.randomUUID)()),
        hidden: settings.maskAccountId ? [accountId, (0,arn/* accountOf */.XP)(settings.roleToAssume) ?? ''].filter(Boolean) : [],
    };
    core/* saveState */.LZ(deliver_state/* STATE_HEALTH */.F8, JSON.stringify(state));
    return state;
}

// EXTERNAL MODULE: ./src/aws/env-vars.ts
var env_vars = __webpack_require__(709);
;// CONCATENATED MODULE: ./src/aws/profile-sections.ts
/**
 * Section-level edits of the AWS shared config and credentials files, as text. Everything outside
 * the edited sections is kept byte for byte: a general INI library would re-serialise the whole
 * file and lose comments, nested settings (`s3 =` + indented keys) and values holding `;` or `#`.
 */

/** Whole-line comments and inline ones after whitespace, as the AWS SDKs read them. */
const COMMENT = /(^|\s)[;#].*$/;
/** The name inside a `[...]` header line, trimmed; undefined for any other line. */
function sectionHeader(line) {
    const text = line.replace(COMMENT, '').trim();
    return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1).trim() : undefined;
}
/** `profile  "x"` and `profile x` name the same section; both SDKs accept either. */
function normaliseSection(name) {
    const prefixed = /^(\S+)\s+(["']?)(.+?)\2$/.exec(name);
    return prefixed ? `${prefixed[1]} ${prefixed[3]}` : name;
}
function isBlankOrComment(line) {
    const text = line.trim();
    return text === '' || text.startsWith('#') || text.startsWith(';');
}
function sections(lines) {
    const headers = [];
    lines.forEach((line, index) => {
        const name = sectionHeader(line);
        if (name !== undefined)
            headers.push({ name: normaliseSection(name), start: index });
    });
    return headers.map(({ name, start }, i) => {
        let end = headers[i + 1]?.start ?? lines.length;
        // Comments and blank lines just above the next header describe that section, not this one.
        while (end > start + 1 && isBlankOrComment(lines[end - 1] ?? ''))
            end--;
        return { name, start, end };
    });
}
function splitLines(text) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '')
        lines.pop();
    return { lines, eol };
}
function joinLines(lines, eol) {
    return lines.length ? lines.join(eol) + eol : '';
}
function profile_sections_hasSection(text, matches) {
    return sections(splitLines(text).lines).some((s) => matches(s.name));
}
/**
 * Removes every section `matches` picks (and, when `containing` is given, only those with that exact
 * line, or whose lines it accepts) and puts `block` where the first one was, or at the end. Returns
 * the new text.
 */
function profile_sections_replaceSections(text, matches, block = [], containing) {
    const { lines, eol } = splitLines(text);
    const accepts = typeof containing === 'string' ? (body) => body.includes(containing) : containing;
    const doomed = sections(lines).filter((s) => matches(s.name) && (accepts === undefined || accepts(lines.slice(s.start, s.end))));
    const out = [];
    let inserted = block.length === 0;
    let next = 0;
    for (const span of doomed) {
        out.push(...lines.slice(next, span.start));
        next = span.end;
        if (!inserted) {
            out.push(...block);
            inserted = true;
        }
        else if ((out.length === 0 || out.at(-1)?.trim() === '') && lines[next]?.trim() === '') {
            next++; // no leading or double blank line where a section was cut out
        }
    }
    out.push(...lines.slice(next));
    if (!inserted) {
        if (out.length && out.at(-1)?.trim() !== '')
            out.push('');
        out.push(...block);
    }
    // A section cut from the end leaves the blank line that separated it.
    if (doomed.at(-1)?.end === lines.length)
        while (out.at(-1)?.trim() === '')
            out.pop();
    return joinLines(out, eol);
}
/** `[header]`, a comment line, then `key = value` lines. A value never spans lines: that would inject settings. */
function profile_sections_sectionBlock(header, comment, entries) {
    const lines = [`[${header}]`, comment];
    for (const [key, value] of Object.entries(entries)) {
        if (/[\r\n]/.test(value)) {
            // The value itself is not shown: it may be a secret key.
            throw new errors/* ActionError */.l('Profile value spans lines', `The value of ${key} for profile section [${header}] spans lines; written as is, it would add settings to the profile.`, key === 'region'
                ? 'Remove the line break from aws-region.'
                : 'Remove the line break from the input that sets it; for keys from STS, retry the job and report the answer if it persists.');
        }
        lines.push(`${key} = ${value}`);
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/deliver/home.ts




/**
 * `~` as the AWS CLI (botocore, Python's expanduser) and the Go SDK resolve it: on Windows
 * %USERPROFILE% (Python ≥ 3.8 ignores HOME there), else HOMEDRIVE + HOMEPATH; elsewhere HOME. The
 * profile is then written where those read it.
 */
function homeDirectory(env, platform) {
    if (platform === 'win32') {
        const fromDrive = env.HOMEDRIVE && env.HOMEPATH ? env.HOMEDRIVE + env.HOMEPATH : '';
        return env.USERPROFILE || fromDrive || (0,external_node_os_.homedir)();
    }
    return env.HOME || (0,external_node_os_.homedir)();
}
/** `~`, `~/x` (and `~\x` on Windows) from the home directory; any other path as it is. */
function expandHome(file, home, platform) {
    if (file === '~')
        return home;
    const separator = /^~[/]/.test(file) || (platform === 'win32' && /^~[\\]/.test(file));
    return separator ? external_node_path_.join(home, file.slice(2)) : file;
}
/**
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming one file: the profile's two sections would
 * both be written to it as if it were two files, and the second write would drop the first's
 * section. Refused before any call. The same path, or (when it exists) the same file by another name.
 */
function refuseSameFile(files) {
    const caseless = process.platform === 'win32' || process.platform === 'darwin';
    const same = caseless
        ? files.config.toLowerCase() === files.credentials.toLowerCase()
        : files.config === files.credentials;
    if (!same && !sameInode(files.config, files.credentials))
        return;
    throw new errors/* ActionError */.l('Shared AWS files are one file', `The config file and the credentials file are the same file (${files.config}${files.config === files.credentials ? '' : ` and ${files.credentials}`}): aws-profile / refresh-credentials write one section to each, and cannot keep them apart in one file.`, 'Point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at two different files, or unset them to use ~/.aws/config and ~/.aws/credentials.');
}
function sameInode(a, b) {
    try {
        const [x, y] = [external_node_fs_.statSync(a), external_node_fs_.statSync(b)];
        return x.dev === y.dev && x.ino === y.ino;
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/deliver/profile-stub.ts

/**
 * The empty profile a post step leaves when AWS_PROFILE names the profile it removed and nothing
 * came before: GITHUB_ENV cannot unset AWS_PROFILE, and botocore fails on an empty value or a
 * missing profile ("The config profile () could not be found"), even with keys of its own. The stub
 * holds no settings, so every SDK goes on to the environment's keys; a later invocation replaces it
 * without overwrite-aws-profile.
 */
const profile_stub_STUB_LINE = "# Left empty by aws-credentials-action's post step, as AWS_PROFILE still names it; safe to delete.";
const profile_stub_stubHeader = (name) => (name === 'default' ? 'default' : `profile ${name}`);
/** Pure: `text` without the stubs among the sections `matches` picks. */
function withoutStubs(text, matches) {
    return profile_sections_replaceSections(text, matches, [], profile_stub_STUB_LINE);
}

;// CONCATENATED MODULE: ./src/deliver/profile.ts








/** Where the SDKs look: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/ (see home.ts). */
function sharedFiles(env, platform = process.platform) {
    const home = homeDirectory(env, platform);
    const resolve = (file) => external_node_path_.resolve(expandHome(file, home, platform));
    const defaultConfig = external_node_path_.join(home, '.aws', 'config');
    const defaultCredentials = external_node_path_.join(home, '.aws', 'credentials');
    const config = resolve(env.AWS_CONFIG_FILE || defaultConfig);
    const credentials = resolve(env.AWS_SHARED_CREDENTIALS_FILE || defaultCredentials);
    return {
        config,
        credentials,
        configMoved: config !== external_node_path_.resolve(defaultConfig),
        credentialsMoved: credentials !== external_node_path_.resolve(defaultCredentials),
    };
}
/** What both SDKs accept in `[profile NAME]`; anything else could also break the file's syntax. */
const PROFILE_NAME = /^[\w@+.%:/-]+$/;
/** The profile as it appears in each file: `[profile x]` (or `[default]`) in config, `[x]` in credentials. */
function inConfig(profile) {
    return (section) => profile === 'default'
        ? section === 'default' || section === 'profile default'
        : section === `profile ${profile}`;
}
const inCredentials = (profile) => (section) => section === profile;
/** Variables profileEnvironment may point elsewhere that a user may have set: the post step restores them. */
const RESTORED = [
    'AWS_PROFILE',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
    env_vars/* LOAD_CONFIG_VARIABLE */.Dr,
];
/** Kept after the post step when nothing came before: '' would break botocore, and they stay valid. */
const KEPT = (/* unused pure expression or super */ null && (['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']));
/** Never blanked: not a secret, and botocore takes an empty AWS_DEFAULT_REGION as a region and fails. */
const REGIONS = (/* unused pure expression or super */ null && (['AWS_REGION', 'AWS_DEFAULT_REGION']));
/**
 * Before any STS call: which profile to write and where, and that it may be written there.
 * Undefined when the credentials go to the environment only.
 */
function planProfile(settings, env) {
    if (settings.awsProfile === undefined && !settings.refreshCredentials)
        return undefined;
    const name = settings.awsProfile ?? 'default';
    if (!PROFILE_NAME.test(name) || name === '__proto__') {
        throw new errors/* InputError */.d('aws-profile', `aws-profile "${name}" is not a profile name the AWS SDKs accept.`, 'Use letters, digits and _-@+.%:/ only, e.g. `aws-profile: deploy`.');
    }
    const files = sharedFiles(env);
    // Before any network call: links, a missing directory's parent that is a file, one file for both.
    checkSharedDirectory(files.config);
    checkSharedDirectory(files.credentials);
    refuseSameFile(files);
    const plan = {
        name,
        files,
        marker: `# Written by aws-credentials-action ${(0,external_node_crypto_.randomUUID)()}; its post step removes it.`,
        previous: Object.fromEntries(RESTORED.flatMap((n) => (env[n] ? [[n, env[n]]] : []))),
        overwrite: settings.overwriteAwsProfile,
        implicitName: settings.awsProfile === undefined,
    };
    // Looked at now to fail before STS; decided again under the lock when writing.
    refuseExistingProfile(plan, false);
    return plan;
}
/** Without overwrite-aws-profile, a profile this invocation did not write is never replaced. */
function refuseExistingProfile(plan, atWrite) {
    if (plan.overwrite)
        return;
    const { name, files } = plan;
    const found = [
        // A stub an earlier post step left (profile-stub.ts) holds nothing, and may be replaced.
        ...(profile_sections_hasSection(withoutStubs(readShared(files.config), inConfig(name)), inConfig(name))
            ? [files.config]
            : []),
        ...(profile_sections_hasSection(readShared(files.credentials), inCredentials(name)) ? [files.credentials] : []),
    ];
    if (found.length === 0)
        return;
    const which = plan.implicitName
        ? ' (refresh-credentials writes "default" when aws-profile is not set)'
        : '';
    const when = atWrite ? ' (another job sharing these files wrote it while this one called STS)' : '';
    throw new errors/* InputError */.d('aws-profile', `Profile "${name}"${which} already exists in ${found.join(' and ')}${when}; overwrite-aws-profile is false.`, 'Set `overwrite-aws-profile: true` to replace that profile, or name another one with aws-profile.');
}
/** A profile holding the credentials themselves. */
function keysProfile(region, credentials) {
    return {
        config: { region },
        credentials: {
            aws_access_key_id: credentials.accessKeyId,
            aws_secret_access_key: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { aws_session_token: credentials.sessionToken } : {}),
        },
    };
}
/**
 * Replaces the profile in both files, holding both files' locks: whether it exists is decided here,
 * so of two jobs racing for one name without overwrite-aws-profile, exactly one writes it.
 */
function writeProfile(plan, content) {
    const { name, files, marker } = plan;
    const header = name === 'default' ? 'default' : `profile ${name}`;
    shared_file_withSharedFilesLocked([files.config, files.credentials], true, () => {
        refuseExistingProfile(plan, true);
        shared_file_editShared(files.config, (text) => profile_sections_replaceSections(text, inConfig(name), profile_sections_sectionBlock(header, marker, content.config)));
        shared_file_editShared(files.credentials, (text) => profile_sections_replaceSections(text, inCredentials(name), content.credentials ? profile_sections_sectionBlock(name, marker, content.credentials) : []));
    });
}
/**
 * Pure: what later steps need to use the profile on their own: the files wherever they are not the
 * defaults (a step's own `env:` does not reach later steps), AWS_SDK_LOAD_CONFIG for the SDKs that
 * read the config file only with it, and for a refreshing profile AWS_PROFILE where the SDKs would
 * not pick it without it (every SDK reads `default` unasked) and no keys.
 */
function profileEnvironment(plan, refreshing, env = {}) {
    const files = {
        ...(plan.files.configMoved ? { AWS_CONFIG_FILE: plan.files.config } : {}),
        ...(plan.files.credentialsMoved ? { AWS_SHARED_CREDENTIALS_FILE: plan.files.credentials } : {}),
        [env_vars/* LOAD_CONFIG_VARIABLE */.Dr]: '1',
    };
    if (!refreshing)
        return files;
    const profile = plan.name !== 'default' || env.AWS_PROFILE ? { AWS_PROFILE: plan.name } : {};
    // Credentials in the environment win over any profile, in every SDK.
    return { ...profile, ...files, ...Object.fromEntries(env_vars/* CREDENTIAL_VARIABLES */.eB.map((name) => [name, ''])) };
}
/**
 * What the post step needs to find the sections again: the files, the marker, a hash of the access
 * key id written, and the variables to restore; no secrets.
 */
function cleanupState(plan, content) {
    const keyId = content?.credentials?.aws_access_key_id;
    return JSON.stringify({
        marker: plan.marker,
        files: [plan.files.config, plan.files.credentials],
        ...(keyId ? { keyIdHash: hashKeyId(keyId) } : {}),
        previous: plan.previous,
        name: plan.name,
    });
}
const hashKeyId = (keyId) => (0,external_node_crypto_.createHash)('sha256').update(keyId).digest('hex');
/**
 * The post step's value for each name the main step exported: what AWS_PROFILE and the file
 * variables held before it; with nothing before, they keep their value (GITHUB_ENV cannot unset a
 * name, an empty AWS_PROFILE breaks botocore, and post.ts leaves a stub so the profile still
 * exists). Every other name is blanked.
 */
function revertedEnvironment(exported, state, current = {}) {
    let previous = {};
    try {
        previous = JSON.parse(state).previous ?? {};
    }
    catch {
        // No profile state (nothing was written): every name is blanked.
    }
    return Object.fromEntries(exported.map((name) => {
        const value = previous[name];
        if (RESTORED.includes(name) && typeof value === 'string')
            return [name, value];
        if (REGIONS.includes(name))
            return [name, current[name] ?? ''];
        return [name, KEPT.includes(name) && state ? (current[name] ?? '') : ''];
    }));
}
/**
 * The post step, under the files' locks: removes the sections this invocation wrote (its marker)
 * that still hold what it wrote (in the credentials file, its access key id), and a file left with
 * nothing else. A section another job replaced since is left alone.
 */
function removeWrittenProfile(state) {
    const { marker, files, keyIdHash } = JSON.parse(state);
    const [config, credentials] = files;
    const ours = (file) => (lines) => {
        if (!lines.includes(marker))
            return false;
        if (file !== credentials || !keyIdHash)
            return true;
        const keyLine = lines.map((line) => /^\s*aws_access_key_id\s*=\s*(\S+)\s*$/.exec(line)).find(Boolean);
        return keyLine?.[1] !== undefined && hashKeyId(keyLine[1]) === keyIdHash;
    };
    withSharedFilesLocked(files, false, () => {
        for (const file of [config, credentials]) {
            if (file)
                editShared(file, (text) => replaceSections(text, () => true, [], ours(file)));
        }
    });
}
/** The post step: a stub for the profile AWS_PROFILE keeps naming, when it had no earlier value. */
function leaveStub(state, exported) {
    const { name, files, previous } = JSON.parse(state);
    const config = files[0];
    if (!name || !config || !exported.includes('AWS_PROFILE') || typeof previous?.AWS_PROFILE === 'string') {
        return;
    }
    const mine = (section) => section === stubHeader(name);
    // Under the lock, as every other edit: another job on this HOME may be writing the file.
    withSharedFilesLocked([config], true, () => editShared(config, (text) => hasSection(text, mine)
        ? text
        : replaceSections(text, () => false, sectionBlock(stubHeader(name), STUB_LINE, {}))));
}

// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
// EXTERNAL MODULE: ./src/aws/proxy.ts
var proxy = __webpack_require__(1373);
// EXTERNAL MODULE: ./src/common/retry.ts
var retry = __webpack_require__(9183);
;// CONCATENATED MODULE: ./src/deliver/refresh-command.ts






/** `roleArn`: the OIDC source's role; source.ts refuses refresh-credentials with any other source. */
function refreshOptions(settings, roleArn) {
    return {
        roleArn,
        sessionName: settings.sessionName,
        durationSeconds: settings.durationSeconds,
        audience: settings.audience,
        region: settings.region,
        stsEndpoint: settings.stsEndpoint,
        // A proxy URL with a password would end up in the config file and in error messages.
        httpProxy: (0,proxy/* proxyUserInfo */.Y$)(settings.httpProxy).length === 0 ? settings.httpProxy : undefined,
        noProxy: settings.noProxy,
        policy: settings.inlineSessionPolicy,
        policyArns: settings.managedSessionPolicies,
        maxAttempts: settings.disableRetry ? 1 : settings.retryMaxAttempts,
    };
}
/**
 * Pure: the warning when the http-proxy input holds a user name or password, which is never written
 * into the refreshing profile's line (other users can read a command line). Not when the value came
 * from the job's HTTPS_PROXY / HTTP_PROXY (`fromEnvironment`): the refresher reads that itself.
 */
function refresherProxyWarning(httpProxy, fromEnvironment) {
    if ((0,proxy/* proxyUserInfo */.Y$)(httpProxy).length === 0 || httpProxy === fromEnvironment)
        return undefined;
    return ('http-proxy holds a user name or password, so the refresher that refresh-credentials writes will not use ' +
        'it: a command line is readable by other users. The refresher uses HTTPS_PROXY from the job environment ' +
        'instead; set HTTPS_PROXY in the job `env:` (from a secret) if refreshes must go through this proxy.');
}
/**
 * The refresher stops starting attempts this long after it started. The Go SDKs kill a
 * credential_process after 60 s (processcreds.DefaultTimeout); the last attempt (a token request
 * and an STS call, each bounded by its socket timeouts) must end, and its error reach the user,
 * before that.
 */
const REFRESHER_DEADLINE_MS = 40_000;
/** No sleep of the refresher's is longer: even the longest draws leave room for four attempts. */
const REFRESHER_MAX_SLEEP_MS = 15_000;
/** Pure: the refresher's retry policy: the action's schedule, shortened to fit REFRESHER_DEADLINE_MS. */
function refresherRetryPolicy(options, startedAt) {
    const policy = retryPolicy({ disableRetry: false, retryMaxAttempts: options.maxAttempts, actionTimeoutSeconds: 0 }, startedAt);
    return {
        ...policy,
        backoff: { ...policy.backoff, maxDelayMs: REFRESHER_MAX_SLEEP_MS },
        deadline: startedAt + REFRESHER_DEADLINE_MS,
    };
}
const FLAGS = {
    roleArn: '--role-arn',
    sessionName: '--session-name',
    durationSeconds: '--duration-seconds',
    audience: '--audience',
    region: '--region',
    stsEndpoint: '--sts-endpoint',
    httpProxy: '--http-proxy',
    noProxy: '--no-proxy',
    policy: '--policy-base64',
    policyArns: '--policy-arn',
    maxAttempts: '--max-attempts',
    healthFile: '--health-file',
};
function refresherArgs(options) {
    const values = {
        ...options,
        durationSeconds: String(options.durationSeconds),
        maxAttempts: String(options.maxAttempts),
        // JSON is full of quotes that cmd.exe and shells read differently; base64url has none.
        policy: options.policy === undefined ? undefined : Buffer.from(options.policy).toString('base64url'),
    };
    return Object.entries(FLAGS).flatMap(([key, flag]) => {
        const value = values[key];
        return (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => [flag, v]);
    });
}
function parseRefresherArgs(argv) {
    const byFlag = new Map();
    const policyArns = [];
    for (let i = 0; i < argv.length; i += 2) {
        const flag = argv[i] ?? '';
        const value = argv[i + 1];
        if (!Object.values(FLAGS).includes(flag) || value === undefined) {
            throw new Error(`Unexpected argument ${JSON.stringify(flag)}.`);
        }
        // Policy ARNs may contain commas, so each one has its own flag.
        if (flag === FLAGS.policyArns)
            policyArns.push(value);
        else
            byFlag.set(flag, value);
    }
    const required = (flag) => {
        const value = byFlag.get(flag);
        if (value === undefined)
            throw new Error(`Missing ${flag}.`);
        return value;
    };
    const integer = (flag) => {
        const value = Number(required(flag));
        if (!Number.isSafeInteger(value) || value < 1)
            throw new Error(`${flag} is not a positive whole number.`);
        return value;
    };
    const policy = byFlag.get(FLAGS.policy);
    return {
        roleArn: required(FLAGS.roleArn),
        sessionName: required(FLAGS.sessionName),
        durationSeconds: integer(FLAGS.durationSeconds),
        audience: required(FLAGS.audience),
        region: required(FLAGS.region),
        stsEndpoint: byFlag.get(FLAGS.stsEndpoint),
        httpProxy: byFlag.get(FLAGS.httpProxy),
        noProxy: byFlag.get(FLAGS.noProxy),
        policy: policy === undefined ? undefined : Buffer.from(policy, 'base64url').toString('utf8'),
        policyArns,
        maxAttempts: integer(FLAGS.maxAttempts),
        healthFile: byFlag.get(FLAGS.healthFile),
    };
}
const PLAIN = /^[\w@%+=:,./-]+$/;
/**
 * Left bare on Windows: no space and nothing cmd.exe reads (& | < > ^ ( ) % ! "). The Go SDKs run
 * `cmd.exe /C <line>` and cannot start a quoted program (aws/aws-sdk-go-v2#3208), and older Go INI
 * parsers read the `\n` of a quoted `\node.exe` as a newline, so a path is quoted only when it must be.
 */
const WINDOWS_PLAIN = /^[\w@+=:,./\\-]+$/;
/**
 * One command line that every reader of credential_process splits back into `argv`: the JS SDKs
 * hand it to a shell (sh, or `cmd.exe /d /s /c "…"` on Windows), the Go SDKs to `sh -c` or
 * `cmd.exe /C`, botocore splits it itself (shlex, or CommandLineToArgvW's rules on Windows).
 * A line that some of them could not run as meant is refused before any call.
 */
function commandLine(argv, platform = process.platform) {
    const windows = platform === 'win32';
    const quoted = argv.map((arg) => {
        if (/\p{Cc}/u.test(arg))
            throw unquotable(arg);
        if (!windows)
            return PLAIN.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
        // cmd.exe expands %NAME% inside quotes too, and has no escape for " within them.
        if (/["%]/.test(arg))
            throw unquotable(arg);
        return WINDOWS_PLAIN.test(arg) ? arg : `"${arg.replace(/(\\+)$/, '$1$1')}"`;
    });
    const line = quoted.join(' ');
    // The JS SDK cuts a config value at whitespace followed by # or ; (an inline comment).
    if (/\s[#;]/.test(line))
        throw unquotable(line);
    return line;
}
function unquotable(text) {
    return new errors/* ActionError */.l('Cannot write credential_process', `The refresher's command line cannot be written so that every AWS SDK reads it back: ${JSON.stringify(text)}`, 'Run the action (and node) from a path without ", %, control characters, or # or ; after a space.');
}
/** dist/refresh/index.js, next to the running bundle (dist/index.js). */
function refresherScript() {
    return external_node_path_.join(external_node_path_.dirname((0,external_node_url_.fileURLToPath)(import.meta.url)), 'refresh', 'index.js');
}
/** The profile of refresh-credentials: the region and a credential_process line, no keys. */
function refreshingProfile(options, node = process.execPath, script = refresherScript()) {
    if (!(0,external_node_fs_.existsSync)(script)) {
        throw new errors/* ActionError */.l('Refresher missing', `refresh-credentials needs ${script}, which is not there.`, 'Use a released version of the action, whose dist/ includes refresh/index.js.');
    }
    return {
        config: {
            region: options.region,
            credential_process: commandLine([node, script, ...refresherArgs(options)]),
        },
    };
}

;// CONCATENATED MODULE: ./src/deliver/profile-delivery.ts
// aws-profile and refresh-credentials. main.ts imports this module only when one of them is set
// (writesProfile), so the default path never loads the file locks, the INI editing or the
// refresher's command line: in dist/ they are a chunk of their own.






/**
 * Before any STS call, so that a profile that may not be replaced, or a credential_process line
 * some SDK could not run (checked again when it is written), fails the step at once.
 */
function prepareProfile(settings, source, env, jobProxy) {
    const plan = planProfile(settings, env);
    if (!plan)
        return undefined;
    const refreshRole = settings.refreshCredentials && source.kind === 'oidc' ? source.roleArn : undefined;
    if (refreshRole !== undefined) {
        refreshingProfile(refreshOptions(settings, refreshRole));
        const proxyWarning = refresherProxyWarning(settings.httpProxy, jobProxy);
        if (proxyWarning)
            (0,log/* log */.Rm)('warning', proxyWarning);
    }
    return {
        write: (assumed) => {
            const health = refreshRole !== undefined ? healthPlan(settings, plan, assumed.accountId) : undefined;
            const content = refreshRole !== undefined
                ? refreshingProfile({ ...refreshOptions(settings, refreshRole), healthFile: health?.file })
                : keysProfile(settings.region, assumed.credentials);
            core/* saveState */.LZ(deliver_state/* STATE_PROFILE */.Mj, cleanupState(plan, content));
            writeProfile(plan, content);
            return profileEnvironment(plan, settings.refreshCredentials, env);
        },
    };
}


/***/ })

};
