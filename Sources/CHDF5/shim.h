// The HDF5 C API exposes its predefined types and property-list classes as macros that
// expand to global variables behind H5open(); Swift cannot import such macros, so these
// static inline functions return them.
#ifndef THREEFACTOR_CHDF5_SHIM_H
#define THREEFACTOR_CHDF5_SHIM_H
#include <hdf5.h>
#include <fcntl.h>

static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hsize_t chdf5_s_unlimited(void) { return H5S_UNLIMITED; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t chdf5_t_variable(void) { return H5T_VARIABLE; }
static inline hid_t chdf5_e_default(void) { return H5E_DEFAULT; }
/// Silence HDF5's own stderr error stack printing; the Swift layer reports errors itself.
static inline void chdf5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Called with each link name of a group; a non-zero return stops the iteration.
typedef int (*chdf5_link_name_callback)(const char *name, void *context);
typedef struct { chdf5_link_name_callback callback; void *context; } chdf5_link_iteration;
static inline herr_t chdf5_link_name_op(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group; (void)info;
    chdf5_link_iteration *iteration = (chdf5_link_iteration *)data;
    return iteration->callback(name, iteration->context);
}
/// The names of a group's links, in the order the group stores them (H5Literate, native
/// order). Unlike H5Lget_name_by_idx, native-order iteration builds no table of the links:
/// HDF5 1.10 frees uninitialised entries of that table when a damaged group has fewer links
/// than it claims (found by fuzzing). H5Literate is a macro for H5Literate2 from HDF5 1.12 on,
/// which Swift cannot call by that name; C can.
static inline herr_t chdf5_iterate_link_names(hid_t group, chdf5_link_name_callback callback, void *context) {
    chdf5_link_iteration iteration = { callback, context };
    hsize_t index = 0;
    return H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, &index, chdf5_link_name_op, &iteration);
}

/// Marks an open file's descriptor close-on-exec. HDF5's default (sec2) driver opens files
/// without O_CLOEXEC and holds an flock(2) on them; a child process that inherits the
/// descriptor keeps that lock after the parent closes the file, so the parent's next open of
/// it fails for as long as the child lives. Returns a negative value if the descriptor cannot
/// be had or marked.
static inline int chdf5_set_close_on_exec(hid_t file) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL) return -1;
    int fd = *(int *)handle;
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}
#endif
