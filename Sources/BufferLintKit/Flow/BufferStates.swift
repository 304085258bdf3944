/// What is known about how a view was acquired.
struct Acquisition: Hashable {
    /// Node id of the `PyObject_GetBuffer` call.
    var site: Int
    /// Whether the request had `PyBUF_WRITABLE`; nil when the flags are not a constant.
    var writable: Bool?
    /// The view's state if the call fails (it is left as it was, or with `obj` NULL).
    var onFailure: FailureState
}

enum FailureState: Hashable {
    case uninitialized, bufNull, empty, unknown
}

/// The state of one `Py_buffer` on one path.
enum ViewState: Hashable {
    /// Declared without an initialiser: `obj` is garbage. `failedAt`: left so by a failed acquisition.
    case uninitialized(failedAt: Int?)
    /// Garbage, except `buf` set to NULL (a sentinel for "not acquired").
    case bufNull
    /// `obj` is NULL: zero-initialised, re-zeroed, or released (release is harmless).
    case empty
    /// `PyObject_GetBuffer` was called and its result not yet tested.
    case pending(Acquisition)
    case acquired(Acquisition)
    /// Released by the call with this node id; `obj` is NULL again but `buf` still points at the old memory.
    case released(at: Int)
    /// Anything: escaped, stored into an owner, passed to an unknown function.
    case unknown

    var acquisition: Acquisition? {
        switch self {
        case .pending(let a), .acquired(let a): return a
        default: return nil
        }
    }

    init(failure: FailureState, site: Int) {
        switch failure {
        case .uninitialized: self = .uninitialized(failedAt: site)
        case .bufNull: self = .bufNull
        case .empty: self = .empty
        case .unknown: self = .unknown
        }
    }
}

/// What is known about an integer variable on one path.
enum IntegerFact: Hashable {
    case constant(Int)
    /// Holds the result of `PyObject_GetBuffer` on this view.
    case acquisitionResult(String)
}

/// One path class through a function: the states of its views and the facts the branches depend on.
struct PathState: Hashable {
    var views: [String: ViewState] = [:]
    var integers: [String: IntegerFact] = [:]
    /// Outcomes of conditions that are tested more than once (by their text).
    var conditions: [String: Bool] = [:]
    /// Pointer variables that hold `view.buf` (or a pointer into it).
    var aliases: [String: String] = [:]
    /// Views whose `buf` was stored where the caller can read it: node id of the store.
    var stores: [String: Int] = [:]
    /// Views whose state a test of the acquisition's result set to the failure state (`rc == 0 || view.len`,
    /// `if (rc != 0) n = view.len;`): node id of the `PyObject_GetBuffer` call. Any other change of the view forgets it.
    var failed: [String: Int] = [:]

    func view(_ key: String) -> ViewState { views[key] ?? .unknown }

    /// Sets a view's state (nil: forgets the view); the view is no longer known to have failed.
    mutating func setView(_ key: String, _ state: ViewState?) {
        views[key] = state
        if !failed.isEmpty { failed[key] = nil }
    }
}

/// A `Py_buffer` the analysis can name.
struct ViewRef: Hashable {
    /// Identity: a variable (name and declaration offset), a member path or an array.
    var key: String
    /// Owned by the function: a local (not static) variable, or a member of a local struct without a releasing destructor.
    var owned: Bool
    /// Stands for every element of an array.
    var isArray: Bool
}

extension PathState {
    /// What the findings are made of: the views, the pointers into them and the stores of those pointers.
    /// Path classes that agree on it differ only in facts that tell no two view states apart.
    struct ViewPart: Hashable {
        var views: [String: ViewState]
        var aliases: [String: String]
        var stores: [String: Int]
    }

    var viewPart: ViewPart { ViewPart(views: views, aliases: aliases, stores: stores) }

    /// The path class of both: the facts they agree on (the view parts are the same).
    /// A fact only ever decides a branch, so dropping one can only add paths, never hide one; two
    /// classes that differ in one condition's outcome alone join exactly (the next test of it splits again).
    func joined(with other: PathState) -> PathState {
        var j = self
        j.integers = integers.filter { other.integers[$0.key] == $0.value }
        j.conditions = conditions.filter { other.conditions[$0.key] == $0.value }
        j.failed = failed.filter { other.failed[$0.key] == $0.value }
        return j
    }
}
