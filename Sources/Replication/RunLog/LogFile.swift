import Foundation

/// A run log file open for writing: held in memory while it changes, and replaced on disk
/// in one `rename` per commit.
///
/// HDF5 updates a file in place and its metadata cache writes entries in its own order, so a
/// process killed in the middle of a flush (or between two) leaves a file whose metadata
/// disagree: one that no longer lists its groups, or a checkpoint whose checksum attribute
/// was not yet written. Here the file on disk is never written in place. Each commit writes
/// the whole image beside it under a temporary name, syncs it and renames it over the log, so
/// at every instant the path holds either the previous commit or the new one, each complete.
/// A commit that fails (a full disk) removes its temporary and leaves the last commit.
///
/// One writer at a time: the writer holds an open-file-description lock (`F_OFD_SETLK`) on
/// the file it last committed, taken on each new file before it is renamed into place. It
/// does not conflict with the `flock` that HDF5 takes when reading, so `h5dump`, h5py and
/// `verify` can read a log while it is written. Every descriptor is close-on-exec.
/// The caller holds `HDF5File.libraryLock`.
final class LogFile {
    /// The log's path.
    let path: String
    /// The log as last read or changed, in memory.
    let file: HDF5File
    /// The descriptor that holds the writer's lock on the file at `path`.
    private var lockDescriptor: Int32

    /// `F_OFD_SETLK` of `<fcntl.h>` (the same on every Linux architecture); Swift's Glibc
    /// module leaves it out because it is defined only under `_GNU_SOURCE`.
    private static let setOFDLock: Int32 = 37

    /// The HDF5 signature, which a file holds at offset 0 or at a user block's end (512,
    /// 1024, 2048, … bytes).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Opens the log at `path` for writing: takes the writer's lock and reads the file into
    /// memory. Nothing on disk changes until `commit`.
    init(path: String) throws {
        self.path = path
        var descriptor: Int32 = -1
        // A commit of another writer may replace the file between the open and the lock:
        // the lock counts only if it is on the file that the path names afterwards.
        for _ in 0..<100 {
            descriptor = open(path, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else {
                let code = errno
                throw HDF5Error(message: "\(path): cannot open the run log for writing (\(String(cString: strerror(code))))")
            }
            guard Self.lock(descriptor) else {
                Glibc.close(descriptor)
                throw RunLog.OpenError.beingWritten(path)
            }
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_dev == named.st_dev, held.st_ino == named.st_ino {
                break
            }
            Glibc.close(descriptor)
            descriptor = -1
        }
        guard descriptor >= 0 else { throw RunLog.OpenError.beingWritten(path) }
        lockDescriptor = descriptor
        let bytes: [UInt8]
        do { bytes = try Self.readAll(descriptor, path: path) } catch {
            Glibc.close(descriptor)
            throw error
        }
        guard Self.isHDF5(bytes), let image = try? HDF5File(image: bytes, path: path) else {
            Glibc.close(descriptor)
            throw RunLog.OpenError.notARunLog(path)
        }
        file = image
    }

    deinit { Glibc.close(lockDescriptor) }

    /// True when `bytes` begin with the HDF5 signature at one of the offsets it may have.
    static func isHDF5(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset + signature.count <= bytes.count {
            if bytes[offset..<offset + signature.count].elementsEqual(signature) { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    /// Takes the writer's lock on an open descriptor; false if another process holds it.
    ///
    /// A refusal is retried for up to `lockPatience`: a child process started just before
    /// (posix_spawn, `Process`) briefly holds a copy of every descriptor, close-on-exec ones
    /// included, because the kernel lets the parent run on before the child's exec closes
    /// them; a lock released by the parent is held by that copy for those microseconds. A
    /// real writer holds its lock for the whole run, so waiting a moment changes no answer.
    private static func lock(_ descriptor: Int32) -> Bool {
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0  // the whole file
        let deadline = DispatchTime.now().uptimeNanoseconds + lockPatience
        while fcntl(descriptor, setOFDLock, &request) != 0 {
            guard errno == EAGAIN || errno == EACCES || errno == EINTR,
                  DispatchTime.now().uptimeNanoseconds < deadline else { return false }
            usleep(1000)
        }
        return true
    }

    /// How long a refused lock is retried (0.2 s).
    static let lockPatience: UInt64 = 200_000_000

    private static func readAll(_ descriptor: Int32, path: String) throws -> [UInt8] {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw HDF5Error(message: "\(path): cannot read the run log (\(String(cString: strerror(errno))))")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw HDF5Error(message: "\(path): cannot read the run log (\(n < 0 ? String(cString: strerror(errno)) : "it shrank while being read"))")
            }
            done += n
        }
        return bytes
    }

    /// The prefix of the temporary names a commit of the log at `path` writes under.
    static func temporaryPrefix(_ path: String) -> String {
        "." + (path as NSString).lastPathComponent + ".committing-"
    }

    /// Writes the log as it now stands in memory to disk: the whole image to a temporary
    /// file, synced, then renamed over the log. On failure the temporary is removed and the
    /// file at `path` is the last commit; a full file system is a `RunLog.DiskFullError`.
    /// `reserve` bytes must stay free beside the new image.
    func commit(reserve: UInt64) throws {
        let bytes = try file.image()
        try RunLog.checkSpace(path: path, reserve: reserve, needed: bytes.count)
        let temp = (RunLog.directory(of: path) as NSString).appendingPathComponent(Self.temporaryPrefix(path) + "\(getpid())")
        unlink(temp)
        var info = stat()
        let mode = fstat(lockDescriptor, &info) == 0 ? mode_t(info.st_mode & 0o777) : 0o644
        let descriptor = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        func fail(_ what: String) -> Error {
            let code = errno
            if descriptor >= 0 { Glibc.close(descriptor) }
            unlink(temp)
            if code == ENOSPC || code == EDQUOT {
                return RunLog.DiskFullError(path: path, available: RunLog.freeBytes(path: path) ?? 0,
                                            needed: UInt64(bytes.count) &+ reserve)
            }
            return HDF5Error(message: "\(path): cannot \(what) (\(String(cString: strerror(code)))); the log keeps its last commit")
        }
        guard descriptor >= 0 else { throw fail("create \(temp)") }
        guard Self.lock(descriptor) else { throw fail("lock \(temp)") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw fail("write the commit") }
            done += n
        }
        guard fsync(descriptor) == 0 else { throw fail("sync the commit") }
        guard rename(temp, path) == 0 else { throw fail("move the commit into place") }
        Glibc.close(lockDescriptor)
        lockDescriptor = descriptor
    }
}
