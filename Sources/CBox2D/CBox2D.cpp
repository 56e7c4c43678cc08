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

/// Box2D 2.4 offers no way to change whether a limit is enforced without waking the bodies
/// (EnableLimit wakes them, which resets their sleep timers and so changes when the lander
/// falls asleep). A pointer to the protected member, taken through a derived class, is the
/// well-defined way to set the flag directly.
struct RevoluteLimitFlag : b2RevoluteJoint {
    static bool b2RevoluteJoint::*flag() { return &RevoluteLimitFlag::m_enableLimit; }
};

}  // namespace

struct CB2World {
    b2World world;
    ContactRecorder recorder;
    b2Body *bodies[CB2_MAX_BODIES] = {};
    BodyContacts contacts[CB2_MAX_BODIES] = {};
    int bodyCount = 0;
    b2RevoluteJoint *joints[CB2_MAX_JOINTS] = {};
    int jointCount = 0;
    /// Joints whose limits follow Box2D 2.3's activation rule.
    b2RevoluteJoint *legacyLimitJoints[CB2_MAX_JOINTS] = {};
    int legacyLimitJointCount = 0;

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
    return new (std::nothrow) CB2World(b2Vec2(static_cast<float>(gravityX), static_cast<float>(gravityY)));
}

void cb2_world_destroy(CB2World *world) { delete world; }

void cb2_world_step(CB2World *world, double dt, int velocityIterations, int positionIterations) {
    for (int i = 0; i < world->legacyLimitJointCount; ++i) {
        b2RevoluteJoint *joint = world->legacyLimitJoints[i];
        float angle = joint->GetJointAngle();
        joint->*RevoluteLimitFlag::flag() = angle <= joint->GetLowerLimit() || angle >= joint->GetUpperLimit();
    }
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
    if (j->box2D23Limits && j->enableLimit) world->legacyLimitJoints[world->legacyLimitJointCount++] = joint;
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
