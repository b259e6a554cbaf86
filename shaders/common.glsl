// Shared by every compute shader. The workgroup size comes from specialization constants
// 0, 1, 2 (runtime/kernel.hpp: KernelSpec::local_size); a shader's own constants start at 3.

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

// Flattened invocation index for 1-D dispatches whose group count may be split over x and y
// (maxComputeWorkGroupCount[0] can be as low as 65,535).
uint global_index_1d() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}
