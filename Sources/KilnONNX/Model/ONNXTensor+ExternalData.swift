import Foundation
import KilnDiagnostics

extension ONNXTensor {
    /// Reads this tensor's external data into ``rawData``; does nothing for tensors stored inline.
    ///
    /// The `location` key names a file relative to `directory`; absolute paths, `..`
    /// components and symbolic links leading outside `directory` are rejected. `offset` and
    /// `length` (decimal byte counts) are checked against the file's size and `length` against
    /// the size the tensor's type and shape need, before anything is read.
    /// - Parameter directory: the directory of the model file.
    public mutating func loadExternalData(relativeTo directory: URL) throws(DiagnosticError) {
        guard dataLocation == .external else { return }
        var location: String?
        var offset = 0
        var length: Int?
        for entry in externalData {
            switch entry.key {
            case "location": location = entry.value
            case "offset":
                guard let value = Int(entry.value), value >= 0 else {
                    throw tensorError("external data offset '\(entry.value)' is not a byte count")
                }
                offset = value
            case "length":
                guard let value = Int(entry.value), value >= 0 else {
                    throw tensorError("external data length '\(entry.value)' is not a byte count")
                }
                length = value
            default: break
            }
        }
        guard let location, !location.isEmpty else { throw tensorError("external data has no location") }
        let components = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.hasPrefix("/"), !location.contains("\\"), !location.contains("\0"),
              !components.contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw tensorError("external data location '\(location)' must be a relative path inside the model's directory")
        }
        let base = directory.standardizedFileURL.resolvingSymlinksInPath()
        let file = base.appendingPathComponent(location).standardizedFileURL.resolvingSymlinksInPath()
        guard file.path.hasPrefix(base.path.hasSuffix("/") ? base.path : base.path + "/") else {
            throw tensorError("external data location '\(location)' leads outside the model's directory")
        }

        let fileSize: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            guard (attributes[.type] as? FileAttributeType) == .typeRegular,
                  let size = (attributes[.size] as? NSNumber)?.intValue else {
                throw tensorError("external data file '\(location)' is not a regular file")
            }
            fileSize = size
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw tensorError("cannot read external data file '\(location)': \(error.localizedDescription)")
        }
        guard offset <= fileSize else {
            throw tensorError("external data offset \(offset) is past the end of '\(location)' (\(fileSize) bytes)")
        }
        let byteCount = length ?? (fileSize - offset)
        guard byteCount <= fileSize - offset else {
            throw tensorError("external data of \(byteCount) bytes at offset \(offset) does not fit in '\(location)' (\(fileSize) bytes)")
        }
        let needed = try rawByteCount()
        guard byteCount == needed else {
            throw tensorError("external data has \(byteCount) bytes, a \(dataType) tensor of shape \(dims) needs \(needed)")
        }

        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: byteCount) ?? Data()
            guard data.count == byteCount else {
                throw tensorError("external data file '\(location)' ended early (read \(data.count) of \(byteCount) bytes)")
            }
            rawData = [UInt8](data)
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw tensorError("cannot read external data file '\(location)': \(error.localizedDescription)")
        }
    }
}
