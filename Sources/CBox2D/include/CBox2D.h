/*
 * CBox2D: a small C interface to the Box2D 2.4 physics engine (Debian's libbox2d-dev),
 * just wide enough for the Box2D tasks of Gymnasium (LunarLander).
 *
 * Swift cannot use Box2D's C++ classes directly, so a world is an opaque handle and its
 * bodies are small integers (0, 1, 2, ... in creation order). Every number crosses the
 * interface as a double; Box2D stores float32, exactly as pybox2d converts Python floats
 * for Gymnasium. The shim itself allocates only when a world is created; Box2D allocates
 * when bodies, fixtures and joints are created and, while stepping, only when its block
 * allocator needs a new chunk (once per world, at the first contact). Queries never do.
 *
 * Contacts are recorded per body the way Gymnasium's LunarLander ContactDetector does:
 * `touching` is set when any contact of the body begins and cleared when any of its
 * contacts ends (a flag, not a count), and `touched` is set at the first contact and
 * never cleared.
 */
#ifndef CBOX2D_H
#define CBOX2D_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A Box2D world with its contact recorder; bodies are indices into it.
typedef struct CB2World CB2World;

/// At most this many bodies and this many joints per world.
enum { CB2_MAX_BODIES = 32, CB2_MAX_JOINTS = 32 };

/// Material and collision filter of one fixture (Box2D's b2FixtureDef fields).
typedef struct CB2Fixture {
    double density;
    double friction;
    double restitution;
    uint16_t categoryBits;
    uint16_t maskBits;
} CB2Fixture;

/// A revolute joint between two bodies (Box2D's b2RevoluteJointDef fields), plus
/// `box2D23Solver`: solve the joint with Box2D 2.3's equations (the version inside
/// pybox2d, hence Gymnasium) instead of 2.4's. They differ in the angle limit: 2.3 applies
/// a limit only in steps that start at or beyond it and solves it together with the point
/// constraint as one block; 2.4 applies it speculatively and sequentially, which makes a
/// light body on a heavy one stop softly. See CBox2D.cpp.
typedef struct CB2RevoluteJoint {
    bool box2D23Solver;
    int bodyA, bodyB;
    double localAnchorAX, localAnchorAY;
    double localAnchorBX, localAnchorBY;
    double referenceAngle;
    bool enableLimit;
    double lowerAngle, upperAngle;
    bool enableMotor;
    double motorSpeed;
    double maxMotorTorque;
} CB2RevoluteJoint;

/// Pose and velocity of a body: origin position, angle, linear and angular velocity.
typedef struct CB2BodyState {
    double x, y, angle, vx, vy, angularVelocity;
} CB2BodyState;

/// A new world with the given gravity, sleeping allowed (Box2D's default). NULL on failure.
CB2World *cb2_world_create(double gravityX, double gravityY);
void cb2_world_destroy(CB2World *world);
/// One time step: b2World::Step(dt, velocityIterations, positionIterations); forces are
/// cleared afterwards (Box2D's default).
void cb2_world_step(CB2World *world, double dt, int velocityIterations, int positionIterations);
/// Number of bodies created so far.
int cb2_world_body_count(const CB2World *world);

/// A new static (dynamic = false) or dynamic body; returns its index, or -1 when the
/// world is full.
int cb2_body_create(CB2World *world, bool dynamic, double x, double y, double angle);
/// A two-sided edge from (x1, y1) to (x2, y2). Returns 0, or -1 for a bad body index.
int cb2_body_add_edge(CB2World *world, int body, double x1, double y1, double x2, double y2,
                      const CB2Fixture *fixture);
/// A convex polygon of `count` (3...8) vertices given as x0, y0, x1, y1, ... in body
/// coordinates (b2PolygonShape::Set, which takes the convex hull). Returns 0 or -1.
int cb2_body_add_polygon(CB2World *world, int body, const double *xy, int count,
                         const CB2Fixture *fixture);
/// An axis-aligned box of half-widths (hx, hy) centred on the body origin
/// (b2PolygonShape::SetAsBox). Returns 0 or -1.
int cb2_body_add_box(CB2World *world, int body, double hx, double hy, const CB2Fixture *fixture);
/// Returns the joint's index (0, 1, ... in creation order), or -1 for bad body indices or
/// when the world is full.
int cb2_add_revolute_joint(CB2World *world, const CB2RevoluteJoint *joint);
/// The joint angle (b2RevoluteJoint::GetJointAngle: angle B - angle A - reference angle).
double cb2_revolute_joint_angle(const CB2World *world, int joint);

void cb2_body_apply_force_to_center(CB2World *world, int body, double fx, double fy, bool wake);
/// An impulse (ix, iy) applied at the world point (px, py).
void cb2_body_apply_linear_impulse(CB2World *world, int body, double ix, double iy,
                                   double px, double py, bool wake);
void cb2_body_apply_torque(CB2World *world, int body, double torque, bool wake);

void cb2_body_state(const CB2World *world, int body, CB2BodyState *state);
bool cb2_body_is_awake(const CB2World *world, int body);
/// Set by the latest BeginContact of this body, cleared by the latest EndContact.
bool cb2_body_touching(const CB2World *world, int body);
/// Set by the first BeginContact of this body; never cleared.
bool cb2_body_touched(const CB2World *world, int body);

/// Box2D's version, e.g. 2.4.1, as major * 10000 + minor * 100 + revision.
int cb2_version(void);

#ifdef __cplusplus
}
#endif

#endif
