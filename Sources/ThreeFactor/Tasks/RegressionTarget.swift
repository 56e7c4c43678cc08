/// The scalar regression task of the MAP propagation paper (Chung, NeurIPS 2021,
/// arXiv:2010.07893; reference `reg_MDP` in `util.py` of github.com/stephen-chung-mh/map_prop).
///
/// - Input: x ~ N(0, I_8).
/// - Target: y = relu(relu(x W0) W1), a scalar (W0 is 8 x 8, W1 is 8 x 1, fixed).
/// - The learner's output a (a Gaussian unit) earns the reward -(a - y)^2.
///
/// The weights are the fixed values the reference implementation ships (`reg.npy`), copied
/// from `papers/map-prop/regression_target.json` (the same numbers as JSON);
/// `RegressionTargetTests` checks these constants against that file.
public enum RegressionTarget {
    /// The task's id in the catalog and in experiment files.
    public static let id = "Regression"
    /// The input's length.
    public static let inputCount = 8

    /// W0, row-major (input x hidden).
    public static let firstWeights: [Double] = [
        -0.9359686353499999, 1.8288906034853514, -0.20737477437747487, -2.115668601045556, -0.31470516499694884, 0.4351750110430392, -1.2648151145754234, 1.0437626005732918,
        -0.9747382062842573, 0.9341132275928575, -1.168047147690715, 1.084019080844383, -0.23357203114545017, -1.3675133791153296, 0.10391111515198374, 0.315265527346686,
        0.969732684920004, -0.3210055903030406, -1.224747804686427, 1.2748249416897601, 0.13870715744366005, -0.3135585995072257, 0.9096849144883766, 0.07395072208353809,
        0.0994500038174953, 0.7261035688476394, 0.9095322020760842, -0.7717755387489793, 0.34774065348810473, -0.028087695757353044, 1.0300532888246114, -0.3599646738602692,
        1.553250062743382, 0.6688485221092408, 0.6325327695188667, -0.7224020995574113, 0.4326935510859969, 1.435974368517087, 1.4795039748059267, -0.7003099200281621,
        -0.09475071486809407, 0.1812997520009798, 0.22699461396607917, 0.9587696070623247, -0.09327437356096177, -0.28755641869147847, -0.1474071223329295, 1.290514946494601,
        0.5259267025957912, 0.18021855032471606, 1.944329192776006, -0.8653525323054846, 1.4441906824586792, -0.41170318719095345, 0.47554849528784426, -0.04321036351394063,
        0.1662137773242265, 0.5367035340409911, 1.363231216677143, -1.0077899475764982, -1.2588988846563718, 1.2174222086058761, -0.05238786382454748, 0.6912874365379899,
    ]

    /// W1 (hidden x 1).
    public static let secondWeights: [Double] = [
        -0.4316437872026149,
        -0.6458540075894983,
        1.3253894386435254,
        -1.051111947133981,
        -0.28650513427485624,
        -0.26515422603411304,
        1.8972831781711141,
        0.8437576335547232,
    ]

    /// y = relu(relu(x W0) W1) for one input of 8 values.
    @inlinable
    public static func target(_ x: UnsafePointer<Double>) -> Double {
        var y = 0.0
        for j in 0..<inputCount {
            var hidden = 0.0
            for i in 0..<inputCount { hidden += x[i] * firstWeights[i * inputCount + j] }
            y += max(hidden, 0) * secondWeights[j]
        }
        return max(y, 0)
    }

    /// Draws x ~ N(0, I_8) into `x` and returns its target.
    public static func sample(into x: UnsafeMutablePointer<Double>, rng: inout RandomStream) -> Double {
        for i in 0..<inputCount { x[i] = rng.normal() }
        return target(x)
    }

    /// The reward of output `a` for target `y`.
    @inlinable
    public static func reward(output a: Double, target y: Double) -> Double { -(a - y) * (a - y) }
}
