// CBox2D: see include/CBox2D.h. A thin C layer over Box2D 2.4's C++ API.

#include "CBox2D.h"

#include <box2d/box2d.h>

#include <new>

namespace {

struct BodyContacts {
    bool touching = false;
    bool touched = false;
};

/// Records contacts per body the way Gymnasium's ContactDetector does. Body indices
/// travel in b2BodyUserData::pointer as index + 1 (0 means "not ours").
class ContactRecorder final : public b2ContactListener {
public:
    BodyContacts *contacts = nullptr;

    void BeginContact(b2Contact *contact) override { mark(contact, true); }
    void EndContact(b2Contact *contact) override { mark(contact, false); }

private:
    void mark(b2Contact *contact, bool begin) {
        b2Body *bodies[2] = {contact->GetFixtureA()->GetBody(), contact->GetFixtureB()->GetBody()};
        for (b2Body *body : bodies) {
            uintptr_t tag = body->GetUserData().pointer;
            if (tag == 0) continue;
            BodyContacts &c = contacts[tag - 1];
            c.touching = begin;
            if (begin) c.touched = true;
        }
    }
};

b2FixtureDef fixtureDef(const b2Shape *shape, const CB2Fixture *f) {
    b2FixtureDef def;
    def.shape = shape;
    def.density = static_cast<float>(f->density);
    def.friction = static_cast<float>(f->friction);
    def.restitution = static_cast<float>(f->restitution);
    def.filter.categoryBits = f->categoryBits;
    def.filter.maskBits = f->maskBits;
    return def;
}

/// K = J M^-1 J^T of a revolute joint's point and limit rows, with what `b2Mat33::Solve33`
/// and `Solve22` derive from K alone (determinants, the cofactor column ey x ez) computed
/// once per step instead of in each of the 180 velocity iterations. The solves below are
/// Box2D's own expressions in Box2D's order (float arithmetic, no contraction), so they
/// return the same bits as the library's functions. The joint's velocity solve was 80 % of
/// Box2D's work in a LunarLander step (callgrind).
struct BlockSolver {
    b2Mat33 k;
    b2Vec3 eyCrossEz;
    float inverseDeterminant33 = 0.0f;
    float inverseDeterminant22 = 0.0f;

    void prepare(const b2Mat33 &mass) {
        k = mass;
        eyCrossEz = b2Cross(k.ey, k.ez);
        float det = b2Dot(k.ex, eyCrossEz);
        inverseDeterminant33 = det != 0.0f ? 1.0f / det : det;
        const float a11 = k.ex.x, a12 = k.ey.x, a21 = k.ex.y, a22 = k.ey.y;
        det = a11 * a22 - a12 * a21;
        inverseDeterminant22 = det != 0.0f ? 1.0f / det : det;
    }

    /// `k.Solve33(b)`.
    b2Vec3 solve33(const b2Vec3 &b) const {
        const float det = inverseDeterminant33;
        return b2Vec3(det * b2Dot(b, eyCrossEz), det * b2Dot(k.ex, b2Cross(b, k.ez)), det * b2Dot(k.ex, b2Cross(k.ey, b)));
    }

    /// `k.Solve22(b)`.
    b2Vec2 solve22(const b2Vec2 &b) const {
        const float a11 = k.ex.x, a12 = k.ey.x, a21 = k.ex.y, a22 = k.ey.y;
        const float det = inverseDeterminant22;
        return b2Vec2(det * (a22 * b.x - a12 * b.y), det * (a11 * b.y - a21 * b.x));
    }
};

/// A revolute joint solved with Box2D 2.3's equations (the version inside pybox2d, hence
/// inside Gymnasium) instead of Box2D 2.4's.
///
/// The two versions differ in the angle limit:
/// - 2.3 decides at the start of a step whether the limit is active (the joint angle is at
///   or beyond it); 2.4 always includes it, speculatively, so a joint moving towards its
///   limit stops on it within the step rather than overshooting by up to one step.
/// - 2.3 solves the point constraint and an active limit together as one 3x3 block, with
///   the limit impulse clamped to push only; 2.4 solves them one after the other. With a
///   light leg on a heavy lander the sequential iteration converges slowly, so in 2.4 the
///   limit behaves like a soft stop and a landed lander rocks on its legs for longer
///   (LunarLander episodes then last ~10 steps more before the lander sleeps).
/// - 2.3's position error for an active limit is the full overshoot; 2.4's excludes the
///   angular slop. The error decides whether the island may fall asleep.
///
/// The equations below are Box2D 2.3's (velocity level: motor, then the 3x3 block of point
/// and limit rows or the 2x2 point rows alone; position level: angular limit correction
/// with slop, then the point correction), written here against 2.4's solver data.
///
/// Box2D 2.4 offers no way to register a new joint type, so `install` replaces a revolute
/// joint created by the world in place: the object keeps its address (the world's lists
/// point to it) and its layout (this class adds no data members; 2.3's limit state and
/// limit impulse live in the two limit impulses of the 2.4 joint), and only its virtual
/// solver functions change.
class Box2D23RevoluteJoint final : public b2RevoluteJoint {
public:
    explicit Box2D23RevoluteJoint(const b2RevoluteJoint &joint) : b2RevoluteJoint(joint) {}

    /// `solver` (owned by the world wrapper, outliving the joint) is reached through the
    /// joint's user-data pointer, since the class may not add data members.
    static void install(b2RevoluteJoint *joint, BlockSolver *solver) {
        static_assert(sizeof(Box2D23RevoluteJoint) == sizeof(b2RevoluteJoint), "layout must not change");
        Box2D23RevoluteJoint snapshot(*joint);
        new (static_cast<void *>(joint)) Box2D23RevoluteJoint(snapshot);
        auto *installed = std::launder(reinterpret_cast<Box2D23RevoluteJoint *>(joint));
        installed->setLimitState(Inactive);
        installed->limitImpulse() = 0.0f;
        installed->GetUserData().pointer = reinterpret_cast<uintptr_t>(solver);
    }

protected:
    enum LimitState { Inactive = 0, AtLower = 1, AtUpper = 2, Equal = 3 };

    float &limitImpulse() { return m_lowerImpulse; }
    LimitState limitState() const { return static_cast<LimitState>(static_cast<int>(m_upperImpulse)); }
    void setLimitState(LimitState state) { m_upperImpulse = static_cast<float>(state); }
    bool fixedRotation() const { return m_invIA + m_invIB == 0.0f; }
    BlockSolver &solver() { return *reinterpret_cast<BlockSolver *>(GetUserData().pointer); }

    /// The effective mass matrix of the point rows and the angle row, K = J M^-1 J^T.
    b2Mat33 blockMass() const {
        const float mA = m_invMassA, mB = m_invMassB, iA = m_invIA, iB = m_invIB;
        b2Mat33 k;
        k.ex.x = mA + mB + m_rA.y * m_rA.y * iA + m_rB.y * m_rB.y * iB;
        k.ey.x = -m_rA.y * m_rA.x * iA - m_rB.y * m_rB.x * iB;
        k.ez.x = -m_rA.y * iA - m_rB.y * iB;
        k.ex.y = k.ey.x;
        k.ey.y = mA + mB + m_rA.x * m_rA.x * iA + m_rB.x * m_rB.x * iB;
        k.ez.y = m_rA.x * iA + m_rB.x * iB;
        k.ex.z = k.ez.x;
        k.ey.z = k.ez.y;
        k.ez.z = iA + iB;
        return k;
    }

    void InitVelocityConstraints(const b2SolverData &data) override {
        // The 2.4 initialisation computes what both versions share (island indices, mass
        // properties, lever arms, axial mass). Its warm start is neutralised by zeroing the
        // accumulated impulses first (it then adds exact zeros); they are restored after.
        const b2Vec2 pointImpulse = m_impulse;
        const float motorImpulse = m_motorImpulse;
        const float limit = limitImpulse();
        const LimitState state = limitState();
        m_impulse.SetZero();
        m_motorImpulse = 0.0f;
        m_lowerImpulse = 0.0f;
        m_upperImpulse = 0.0f;
        b2RevoluteJoint::InitVelocityConstraints(data);
        m_impulse = pointImpulse;
        m_motorImpulse = motorImpulse;
        limitImpulse() = limit;
        setLimitState(state);

        if (!m_enableMotor || fixedRotation()) m_motorImpulse = 0.0f;

        if (m_enableLimit && !fixedRotation()) {
            const float angle = data.positions[m_indexB].a - data.positions[m_indexA].a - m_referenceAngle;
            LimitState next;
            if (b2Abs(m_upperAngle - m_lowerAngle) < 2.0f * b2_angularSlop) next = Equal;
            else if (angle <= m_lowerAngle) next = AtLower;
            else if (angle >= m_upperAngle) next = AtUpper;
            else next = Inactive;
            // A limit that just became active starts from no impulse; an inactive one has none.
            if (next == Inactive || (next != Equal && next != limitState())) limitImpulse() = 0.0f;
            setLimitState(next);
        } else {
            setLimitState(Inactive);
        }

        b2Vec2 vA = data.velocities[m_indexA].v, vB = data.velocities[m_indexB].v;
        float wA = data.velocities[m_indexA].w, wB = data.velocities[m_indexB].w;
        if (data.step.warmStarting) {
            m_impulse *= data.step.dtRatio;
            limitImpulse() *= data.step.dtRatio;
            m_motorImpulse *= data.step.dtRatio;
            const b2Vec2 p = m_impulse;
            const float angular = m_motorImpulse + limitImpulse();
            vA -= m_invMassA * p;
            wA -= m_invIA * (b2Cross(m_rA, p) + angular);
            vB += m_invMassB * p;
            wB += m_invIB * (b2Cross(m_rB, p) + angular);
        } else {
            m_impulse.SetZero();
            limitImpulse() = 0.0f;
            m_motorImpulse = 0.0f;
        }
        data.velocities[m_indexA].v = vA;
        data.velocities[m_indexA].w = wA;
        data.velocities[m_indexB].v = vB;
        data.velocities[m_indexB].w = wB;
        // Masses and lever arms are fixed for the step's velocity iterations.
        solver().prepare(blockMass());
    }

    void SolveVelocityConstraints(const b2SolverData &data) override {
        b2Vec2 vA = data.velocities[m_indexA].v, vB = data.velocities[m_indexB].v;
        float wA = data.velocities[m_indexA].w, wB = data.velocities[m_indexB].w;
        const float mA = m_invMassA, mB = m_invMassB, iA = m_invIA, iB = m_invIB;
        const LimitState state = limitState();

        if (m_enableMotor && state != Equal && !fixedRotation()) {
            const float speedError = wB - wA - m_motorSpeed;
            const float maxImpulse = data.step.dt * m_maxMotorTorque;
            const float previous = m_motorImpulse;
            m_motorImpulse = b2Clamp(previous - m_axialMass * speedError, -maxImpulse, maxImpulse);
            const float applied = m_motorImpulse - previous;
            wA -= iA * applied;
            wB += iB * applied;
        }

        if (m_enableLimit && state != Inactive && !fixedRotation()) {
            const b2Vec2 pointVelocity = vB + b2Cross(wB, m_rB) - vA - b2Cross(wA, m_rA);
            const float angularVelocity = wB - wA;
            const BlockSolver &block = solver();
            const b2Mat33 &k = block.k;
            b2Vec3 impulse = -block.solve33(b2Vec3(pointVelocity.x, pointVelocity.y, angularVelocity));
            const float accumulated = limitImpulse() + impulse.z;
            const bool pulls = (state == AtLower && accumulated < 0.0f) || (state == AtUpper && accumulated > 0.0f);
            if (pulls) {
                // A limit may only push: release its impulse and solve the point rows alone,
                // accounting for the limit impulse being removed.
                const b2Vec2 reduced = block.solve22(-pointVelocity + limitImpulse() * b2Vec2(k.ez.x, k.ez.y));
                impulse = b2Vec3(reduced.x, reduced.y, -limitImpulse());
                m_impulse += reduced;
                limitImpulse() = 0.0f;
            } else {
                m_impulse += b2Vec2(impulse.x, impulse.y);
                limitImpulse() += impulse.z;
            }
            const b2Vec2 p(impulse.x, impulse.y);
            vA -= mA * p;
            wA -= iA * (b2Cross(m_rA, p) + impulse.z);
            vB += mB * p;
            wB += iB * (b2Cross(m_rB, p) + impulse.z);
        } else {
            const b2Vec2 pointVelocity = vB + b2Cross(wB, m_rB) - vA - b2Cross(wA, m_rA);
            const b2Vec2 impulse = solver().solve22(-pointVelocity);
            m_impulse += impulse;
            vA -= mA * impulse;
            wA -= iA * b2Cross(m_rA, impulse);
            vB += mB * impulse;
            wB += iB * b2Cross(m_rB, impulse);
        }

        data.velocities[m_indexA].v = vA;
        data.velocities[m_indexA].w = wA;
        data.velocities[m_indexB].v = vB;
        data.velocities[m_indexB].w = wB;
    }

    bool SolvePositionConstraints(const b2SolverData &data) override {
        b2Vec2 cA = data.positions[m_indexA].c, cB = data.positions[m_indexB].c;
        float aA = data.positions[m_indexA].a, aB = data.positions[m_indexB].a;
        float angularError = 0.0f;
        const LimitState state = limitState();

        if (m_enableLimit && state != Inactive && !fixedRotation()) {
            const float angle = aB - aA - m_referenceAngle;
            float correction = 0.0f;  // angle change the limit asks for, clamped
            if (state == Equal) {
                correction = b2Clamp(angle - m_lowerAngle, -b2_maxAngularCorrection, b2_maxAngularCorrection);
                angularError = b2Abs(correction);
            } else if (state == AtLower) {
                angularError = m_lowerAngle - angle;
                correction = b2Clamp(angle - m_lowerAngle + b2_angularSlop, -b2_maxAngularCorrection, 0.0f);
            } else {
                angularError = angle - m_upperAngle;
                correction = b2Clamp(angle - m_upperAngle - b2_angularSlop, 0.0f, b2_maxAngularCorrection);
            }
            const float impulse = -m_axialMass * correction;
            aA -= m_invIA * impulse;
            aB += m_invIB * impulse;
        }

        const b2Rot qA(aA), qB(aB);
        const b2Vec2 rA = b2Mul(qA, m_localAnchorA - m_localCenterA);
        const b2Vec2 rB = b2Mul(qB, m_localAnchorB - m_localCenterB);
        const b2Vec2 separation = cB + rB - cA - rA;
        const float positionError = separation.Length();
        const float mA = m_invMassA, mB = m_invMassB, iA = m_invIA, iB = m_invIB;
        b2Mat22 k;
        k.ex.x = mA + mB + iA * rA.y * rA.y + iB * rB.y * rB.y;
        k.ex.y = -iA * rA.x * rA.y - iB * rB.x * rB.y;
        k.ey.x = k.ex.y;
        k.ey.y = mA + mB + iA * rA.x * rA.x + iB * rB.x * rB.x;
        const b2Vec2 impulse = -k.Solve(separation);
        cA -= mA * impulse;
        aA -= iA * b2Cross(rA, impulse);
        cB += mB * impulse;
        aB += iB * b2Cross(rB, impulse);

        data.positions[m_indexA].c = cA;
        data.positions[m_indexA].a = aA;
        data.positions[m_indexB].c = cB;
        data.positions[m_indexB].a = aB;
        return positionError <= b2_linearSlop && angularError <= b2_angularSlop;
    }
};

/// Box2D fills its table of contact types lazily, when the first contact of the process is
/// created, without synchronisation; worlds stepped on several threads (seeds run in
/// parallel) could race on it. The shim fills it once, thread-safely, before any world
/// exists. (Box2D's GJK/TOI call counters are also unsynchronised globals; they are
/// statistics only and never read by the solver.)
struct ContactRegisters : b2Contact {
    static bool initialise() {
        if (!s_initialized) {
            InitializeRegisters();
            s_initialized = true;
        }
        return true;
    }
};

}  // namespace

struct CB2World {
    b2World world;
    ContactRecorder recorder;
    b2Body *bodies[CB2_MAX_BODIES] = {};
    BodyContacts contacts[CB2_MAX_BODIES] = {};
    int bodyCount = 0;
    b2RevoluteJoint *joints[CB2_MAX_JOINTS] = {};
    BlockSolver jointSolvers[CB2_MAX_JOINTS];
    int jointCount = 0;

    explicit CB2World(b2Vec2 gravity) : world(gravity) {
        recorder.contacts = contacts;
        world.SetContactListener(&recorder);
    }

    b2Body *body(int index) const {
        return (index >= 0 && index < bodyCount) ? bodies[index] : nullptr;
    }
};

extern "C" {

CB2World *cb2_world_create(double gravityX, double gravityY) {
    static const bool registersReady = ContactRegisters::initialise();
    (void)registersReady;
    return new (std::nothrow) CB2World(b2Vec2(static_cast<float>(gravityX), static_cast<float>(gravityY)));
}

void cb2_world_destroy(CB2World *world) { delete world; }

void cb2_world_step(CB2World *world, double dt, int velocityIterations, int positionIterations) {
    world->world.Step(static_cast<float>(dt), velocityIterations, positionIterations);
}

int cb2_world_body_count(const CB2World *world) { return world->bodyCount; }

int cb2_body_create(CB2World *world, bool dynamic, double x, double y, double angle) {
    if (world->bodyCount >= CB2_MAX_BODIES) return -1;
    b2BodyDef def;
    def.type = dynamic ? b2_dynamicBody : b2_staticBody;
    def.position.Set(static_cast<float>(x), static_cast<float>(y));
    def.angle = static_cast<float>(angle);
    def.userData.pointer = static_cast<uintptr_t>(world->bodyCount + 1);
    int index = world->bodyCount++;
    world->bodies[index] = world->world.CreateBody(&def);
    return index;
}

int cb2_body_add_edge(CB2World *world, int body, double x1, double y1, double x2, double y2,
                      const CB2Fixture *fixture) {
    b2Body *b = world->body(body);
    if (!b) return -1;
    b2EdgeShape shape;
    shape.SetTwoSided(b2Vec2(static_cast<float>(x1), static_cast<float>(y1)),
                      b2Vec2(static_cast<float>(x2), static_cast<float>(y2)));
    b2FixtureDef def = fixtureDef(&shape, fixture);
    b->CreateFixture(&def);
    return 0;
}

int cb2_body_add_polygon(CB2World *world, int body, const double *xy, int count,
                         const CB2Fixture *fixture) {
    b2Body *b = world->body(body);
    if (!b || count < 3 || count > b2_maxPolygonVertices) return -1;
    b2Vec2 points[b2_maxPolygonVertices];
    for (int i = 0; i < count; ++i)
        points[i].Set(static_cast<float>(xy[2 * i]), static_cast<float>(xy[2 * i + 1]));
    b2PolygonShape shape;
    shape.Set(points, count);
    b2FixtureDef def = fixtureDef(&shape, fixture);
    b->CreateFixture(&def);
    return 0;
}

int cb2_body_add_box(CB2World *world, int body, double hx, double hy, const CB2Fixture *fixture) {
    b2Body *b = world->body(body);
    if (!b) return -1;
    b2PolygonShape shape;
    shape.SetAsBox(static_cast<float>(hx), static_cast<float>(hy));
    b2FixtureDef def = fixtureDef(&shape, fixture);
    b->CreateFixture(&def);
    return 0;
}

int cb2_add_revolute_joint(CB2World *world, const CB2RevoluteJoint *j) {
    b2Body *a = world->body(j->bodyA), *b = world->body(j->bodyB);
    if (!a || !b) return -1;
    if (world->jointCount >= CB2_MAX_JOINTS) return -1;
    b2RevoluteJointDef def;
    def.bodyA = a;
    def.bodyB = b;
    def.localAnchorA.Set(static_cast<float>(j->localAnchorAX), static_cast<float>(j->localAnchorAY));
    def.localAnchorB.Set(static_cast<float>(j->localAnchorBX), static_cast<float>(j->localAnchorBY));
    def.referenceAngle = static_cast<float>(j->referenceAngle);
    def.enableLimit = j->enableLimit;
    def.lowerAngle = static_cast<float>(j->lowerAngle);
    def.upperAngle = static_cast<float>(j->upperAngle);
    def.enableMotor = j->enableMotor;
    def.motorSpeed = static_cast<float>(j->motorSpeed);
    def.maxMotorTorque = static_cast<float>(j->maxMotorTorque);
    auto *joint = static_cast<b2RevoluteJoint *>(world->world.CreateJoint(&def));
    if (j->box2D23Solver) Box2D23RevoluteJoint::install(joint, &world->jointSolvers[world->jointCount]);
    world->joints[world->jointCount] = joint;
    return world->jointCount++;
}

double cb2_revolute_joint_angle(const CB2World *world, int joint) {
    if (joint < 0 || joint >= world->jointCount) return 0;
    return world->joints[joint]->GetJointAngle();
}

void cb2_body_apply_force_to_center(CB2World *world, int body, double fx, double fy, bool wake) {
    if (b2Body *b = world->body(body))
        b->ApplyForceToCenter(b2Vec2(static_cast<float>(fx), static_cast<float>(fy)), wake);
}

void cb2_body_apply_linear_impulse(CB2World *world, int body, double ix, double iy,
                                   double px, double py, bool wake) {
    if (b2Body *b = world->body(body))
        b->ApplyLinearImpulse(b2Vec2(static_cast<float>(ix), static_cast<float>(iy)),
                              b2Vec2(static_cast<float>(px), static_cast<float>(py)), wake);
}

void cb2_body_apply_torque(CB2World *world, int body, double torque, bool wake) {
    if (b2Body *b = world->body(body)) b->ApplyTorque(static_cast<float>(torque), wake);
}

void cb2_body_state(const CB2World *world, int body, CB2BodyState *state) {
    const b2Body *b = world->body(body);
    if (!b) {
        *state = CB2BodyState{};
        return;
    }
    const b2Vec2 &p = b->GetPosition();
    const b2Vec2 &v = b->GetLinearVelocity();
    state->x = p.x;
    state->y = p.y;
    state->angle = b->GetAngle();
    state->vx = v.x;
    state->vy = v.y;
    state->angularVelocity = b->GetAngularVelocity();
}

bool cb2_body_is_awake(const CB2World *world, int body) {
    const b2Body *b = world->body(body);
    return b && b->IsAwake();
}

bool cb2_body_touching(const CB2World *world, int body) {
    return body >= 0 && body < world->bodyCount && world->contacts[body].touching;
}

bool cb2_body_touched(const CB2World *world, int body) {
    return body >= 0 && body < world->bodyCount && world->contacts[body].touched;
}

int cb2_version(void) { return b2_version.major * 10000 + b2_version.minor * 100 + b2_version.revision; }

}  // extern "C"
