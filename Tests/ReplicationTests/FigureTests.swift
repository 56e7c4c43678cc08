import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ThreeFactor
@testable import Replication

/// Counts elements of an XML document; nil if it is not well-formed.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var attributes: [(String, [String: String])] = []
    var text = ""

    static func parse(_ svg: String) -> ElementCounter? {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        return parser.parse() ? counter : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        text += "\n"
        self.attributes.append((name, attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

@Suite struct FigureTests {
    let logs = [
        SyntheticExperiment(id: "a", label: "MAP <prop> & co", figure: "cartpole", units: 300, plateauMean: 450, plateauSD: 20).log(),
        SyntheticExperiment(id: "b", label: "REINFORCE", figure: "cartpole", units: 300, plateauMean: 200, plateauSD: 40, streamSeed: 2).log(),
        SyntheticExperiment(id: "c", label: "Acrobot", figure: "acrobot", units: 100, plateauMean: -100, plateauSD: 5, streamSeed: 3).log(),
    ]
    let marks = [
        ReferenceMark(figure: "cartpole", label: "README 459.7", value: 459.7, provenance: .officialREADME, source: "README"),
        ReferenceMark(figure: "cartpole", label: "paper, episode 200", value: 400, unit: 200, provenance: .paperTable, source: "Table 1"),
    ]

    @Test func learningCurveIsTheMeanAndStandardErrorOfRunningAverages() {
        let log = logs[0]
        let curve = LearningCurve(log: log, series: "episode_return", window: 100)
        #expect(curve.units.count == 300 && curve.units.first == 1)
        let k = 149
        let atK = log.seeds.map { Descriptive.mean(Array($0.series["episode_return"]![(k - 99)...k])) }
        #expect(abs(curve.mean[k] - Descriptive.mean(atK)) < 1e-9)
        #expect(abs(curve.standardError[k] - Descriptive.standardDeviation(atK) / Double(atK.count).squareRoot()) < 1e-9)
        // A diverged seed contributes only up to its last finite value.
        var broken = log.truncating(seed: 0, to: 50, status: .diverged)
        broken.seeds[0].series["episode_return"]![49] = .nan
        let c2 = LearningCurve(log: broken, series: "episode_return", window: 10)
        #expect(c2.seedCounts[48] == 10 && c2.seedCounts[49] == 9)
    }

    @Test func learningCurveFigureIsWellFormedAndComplete() throws {
        let files = ReplicationReport.learningCurveFigures(logs: logs, marks: marks, window: 50, titles: ["cartpole": "CartPole-v1"])
        #expect(files.map(\.name) == ["cartpole", "acrobot"])
        let svg = files[0].svg
        let xml = try #require(ElementCounter.parse(svg), "SVG is not well-formed XML")
        #expect(xml.counts["polyline"] == 2)  // one line per experiment
        let dashed = xml.attributes.filter { $0.0 == "line" && $0.1["stroke-dasharray"] != nil }
        #expect(dashed.count == 2)  // the horizontal mark and its legend sample
        #expect(xml.text.contains("MAP <prop> & co"))  // escaped in the file, intact when parsed
        #expect(xml.text.contains("CartPole-v1") && xml.text.contains("README 459.7") && xml.text.contains("paper, episode 200"))
        #expect(xml.text.contains("episode"))
        #expect(svg.contains("MAP &lt;prop&gt; &amp; co"))
        #expect(ElementCounter.parse(files[1].svg)?.counts["polyline"] == 1)
    }

    @Test func longRunsAreThinned() throws {
        let long = SyntheticExperiment(id: "long", units: 20_000, plateauMean: 450, plateauSD: 20, tau: 3000).log()
        let svg = LearningCurveFigure(title: "long", logs: [long], window: 100).svg()
        let xml = try #require(ElementCounter.parse(svg))
        let points = xml.attributes.first { $0.0 == "polyline" }!.1["points"]!.split(separator: " ").count
        #expect(points <= 801 && points >= 700)
    }

    @Test func errorBarFigure() throws {
        let entries: [(category: String, log: ExperimentLog)] = [
            ("1 layer", logs[0]), ("1 layer", logs[1]),
            ("2 layers", SyntheticExperiment(id: "a2", label: "MAP <prop> & co", units: 300, plateauMean: 440, plateauSD: 20, streamSeed: 7).log()),
        ]
        let metric = Metric.final(series: "episode_return", window: 20)
        let figure = ErrorBarFigure.fromLogs(title: "depth", xLabel: "hidden layers", yLabel: "final return", metric: metric, entries: entries, connectPoints: true)
        #expect(figure.categories == ["1 layer", "2 layers"])
        #expect(figure.series.map(\.label) == ["MAP <prop> & co", "REINFORCE"])
        #expect(figure.series[0].points.count == 2)
        let values = logs[0].seeds.map { try! metric.evaluate($0).get().value }
        let p = figure.series[0].points[0]
        #expect(abs(p.value - Descriptive.mean(values)) < 1e-9)
        #expect(abs((p.high - p.low) / 2 - Descriptive.standardError(values)) < 1e-9)
        let xml = try #require(ElementCounter.parse(figure.svg()))
        #expect(xml.counts["circle"] == 3 + 2)  // points + legend markers
    }

    @Test func niceTicks() {
        let s = NiceScale(covering: 3.2, 487)
        #expect(s.low == 0 && s.high == 500 && s.step == 100)
        #expect(s.ticks == [0, 100, 200, 300, 400, 500])
        let neg = NiceScale(covering: -512, -61)
        #expect(neg.low == -600 && neg.high == 0 && neg.step == 100)
        let small = NiceScale(covering: 0.013, 0.091)
        #expect(small.step == 0.02 && small.label(0.04) == "0.04")
        let flat = NiceScale(covering: 5, 5)
        #expect(flat.low < 5 && flat.high > 5)
    }

    @Test func reportDirectory() throws {
        let ref = try ReferenceFile.parse("""
            paper = "synthetic"
            [[checks]]
            id = "cartpole-band"
            description = "MAP propagation's mean return"
            experiments = ["a"]
            profiles = ["quick"]
            provenance = "our own calibrated run — regression only"
            source = "synthetic"
              [checks.metric]
              kind = "mean"
              [checks.comparison]
              kind = "band"
              statistic = "iqm"
              low = 0
            """, file: "synthetic.toml")
        var logsWithGap = logs
        logsWithGap[1] = logsWithGap[1].truncating(seed: 5, to: 10, status: .interrupted)
        let report = Verifier.run(reference: ref, logs: logsWithGap, profile: "quick", expectedSeeds: ["b": Array(0..<11)])
        let figures = ReplicationReport.learningCurveFigures(logs: logs, marks: marks)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let date = Date(timeIntervalSince1970: 1_750_000_000)
        let url = try ReplicationReport.write(report: report, title: "Synthetic replication", figures: figures, to: dir, date: date)
        let md = try String(contentsOf: url, encoding: .utf8)
        #expect(md.hasPrefix("# Synthetic replication\n"))
        #expect(md.contains("- Profile: `quick`") && md.contains("2025-06-15T15:06:40Z"))
        #expect(md.contains("| PASS | `cartpole-band` |"))
        #expect(md.contains("![cartpole](figures/cartpole.svg)") && md.contains("![acrobot](figures/acrobot.svg)"))
        #expect(md.contains("| 5 | **interrupted** | 10 / 300 |"))
        #expect(md.contains("| 10 | **not run** | 0 / 300 | — |"))
        #expect(md.contains("9 of 11 seeds complete"))
        for f in figures {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("figures/\(f.name).svg").path))
        }
    }
}
