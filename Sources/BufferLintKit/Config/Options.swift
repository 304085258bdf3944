import Foundation

/// Everything a run is configured with, after the configuration file and the
/// command line are merged (the command line wins).
public struct LintOptions: Sendable {
    public var paths: [String] = ["."]
    public var select: [String] = []
    public var ignore: [String] = []
    public var severityOverrides: [String: Severity] = [:]
    public var targetPython = PythonVersion(major: 3, minor: 13)
    public var extraRuleDirectories: [String] = []
    public var pythonInclude: String?
    public var includeDirs: [String] = []
    public var defines: [String] = []
    public var std: String?
    /// A `compile_commands.json` file or the folder that holds one.
    public var compileCommands: String?
    public var includeGlobs: [String] = []
    /// The folder `includeGlobs` and `excludeGlobs` are relative to (the configuration file's), so
    /// that they hold from a subfolder and for absolute paths; nil: the paths as given.
    public var globRoot: String?
    /// Folders walked skip what the git work tree ignores (`.gitignore`, `.git/info/exclude`).
    public var respectGitignore = true
    public var excludeGlobs: [String] = []
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// Parse with libclang: files with uses are parsed to confirm and place them.
    public var useSyntaxTree = true
    public var prefilter = true
    /// How many bytes of the run's files stay in memory between its passes; beyond it, files are
    /// read again when needed (memory then depends on the largest file, not on the tree).
    public var readBudget = 64 << 20
    /// Parse Python.h once per shared preamble (a precompiled header) instead of once per file.
    public var precompilePython = true
    /// Skip the path-sensitive pass for C files whose buffer code a token-level proof shows plain and correct.
    public var provePlainViews = true
    /// Folder of cached per-file results; nil turns the cache off.
    public var cacheDirectory: String?
    /// Regular expressions that mark a file as generated when found in its first lines
    /// (Cython's and SWIG's banners are always recognised).
    public var generatedPatterns: [String] = []
    /// Plan fixes for every use (`FileResult.fixPlan`, `Finding.fix`): for `fix` and `check --diff`.
    public var planFixes = false
    /// The fixes' edits themselves are wanted (a diff, `fix`, SARIF): results are then not taken from the cache,
    /// which keeps each finding's fix summary but not the edits.
    public var keepFixEdits = false
    /// Each finding shows (and SARIF carries) the fix `fix --unsafe-fixes` applies, not `fix`'s.
    public var unsafeFixes = false
    /// Folders the user named (on the command line, or the configuration file's own folder): with
    /// the current folder, the paths checked, Python's headers and the system's, the only places
    /// that includes, include folders and compilation databases may reach (`TrustedRoots`).
    public var trustedFolders: [String] = []
    /// Said before the run (settings of the configuration file that were refused, and why).
    public var warnings: [String] = []
    /// Shows progress on stderr (set by the CLI only on a terminal).
    public var progress: (@Sendable (Int, Int, String) -> Void)?

    public init() {}
}
