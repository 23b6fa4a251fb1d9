/// Who may take everything Samrad holds about a municipality out as one file: its own
/// coordinators (for the municipality's quality report) and the installation's administrators.
public enum ExportPolicy {
    public static func mayExport(_ actor: Actor, _ municipality: MunicipalityKey) -> Bool {
        actor.isAdministrator || actor.coordinates(municipality)
    }
}
