import BufferLintKit
import Foundation
import XCTest

/// Plans the fixes of one file written into a scratch folder, and applies them.
extension XCTestCase {
    func plan(_ name: String, _ source: String, in dir: ScratchFolder) throws -> (FilePlan, Report) {
        let path = try dir.write(name, source)
        let report = try dir.lint([path]) { $0.planFixes = true; $0.cacheDirectory = nil }
        let plan = try XCTUnwrap(report.fixPlans.first { $0.path.hasSuffix(name) })
        return (plan, report)
    }

    func fixed(_ plan: FilePlan, unsafe: Bool = false) -> String {
        String(decoding: plan.apply(plan.selected(unsafe: unsafe)) ?? [], as: UTF8.self)
    }
}
