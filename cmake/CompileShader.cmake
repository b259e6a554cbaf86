# cmake -DGLSLANG=... -DSPIRV_VAL=... -DSRC=x.comp -DSPV=x.spv -DDEP=x.spv.d -DINCLUDE=dir -P CompileShader.cmake
# Compiles one compute shader for Vulkan 1.1 and validates it. On any failure the .spv is
# removed, so the next build retries instead of trusting a module that failed validation.
# glslangValidator's errors name the shader file and line ("ERROR: shaders/x.comp:12: ...").
execute_process(
  COMMAND ${GLSLANG} --quiet --target-env vulkan1.1 -I${INCLUDE} --depfile ${DEP} -o ${SPV} ${SRC}
  RESULT_VARIABLE rc)
if(rc EQUAL 0)
  execute_process(COMMAND ${SPIRV_VAL} --target-env vulkan1.1 ${SPV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE ${SPV})
    message(FATAL_ERROR "spirv-val rejected the SPIR-V of ${SRC}")
  endif()
else()
  file(REMOVE ${SPV})
  message(FATAL_ERROR "shader compilation failed: ${SRC}")
endif()
