# vktrain_shader_variant(NAME SOURCE.glsl [DEFINES D...] [EXTENSIONS E...])
# Writes ${CMAKE_BINARY_DIR}/shaders/variants/NAME.comp: #version, the include extension, each
# E required, each D defined, then SOURCE included; appends it to VKTRAIN_SHADER_VARIANTS. The
# file is rewritten only when its text changes, so a re-configure rebuilds nothing.
function(vktrain_shader_variant name source)
  cmake_parse_arguments(V "" "" "DEFINES;EXTENSIONS" ${ARGN})
  set(text "#version 450\n#extension GL_GOOGLE_include_directive : require\n")
  foreach(e ${V_EXTENSIONS})
    string(APPEND text "#extension ${e} : require\n")
  endforeach()
  string(APPEND text "// Generated from shaders/variants.cmake: edit it, not this file.\n")
  foreach(d ${V_DEFINES})
    string(APPEND text "#define ${d}\n")
  endforeach()
  string(APPEND text "#include \"${source}\"\n")
  set(file ${CMAKE_BINARY_DIR}/shaders/variants/${name}.comp)
  set(old "")
  if(EXISTS ${file})
    file(READ ${file} old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE ${file} "${text}")
  endif()
  if(EXISTS ${CMAKE_SOURCE_DIR}/shaders/${name}.comp)
    message(FATAL_ERROR "shader ${name}: both shaders/${name}.comp and a variant in shaders/variants.cmake")
  endif()
  set(VKTRAIN_SHADER_VARIANTS ${VKTRAIN_SHADER_VARIANTS} ${file} PARENT_SCOPE)
endfunction()

# vktrain_embed_shaders(OUT_VAR shader.comp ...)
# For each compute shader: glslangValidator (Vulkan 1.1 target, include dir shaders/, a depfile
# so editing an included .glsl rebuilds only its users) -> spirv-val -> a .cpp holding the words.
# A generated table (shader_table.cpp) maps each shader's file stem to its words:
# vkt::embedded_shaders(), the library's set.
function(vktrain_embed_shaders OUT_VAR)
  vktrain_embed_shader_set(outputs ${CMAKE_BINARY_DIR}/shaders embedded_shaders ${ARGN})
  set(${OUT_VAR} ${outputs} PARENT_SCOPE)
endfunction()

# vktrain_embed_shader_set(OUT_VAR GEN_DIR TABLE_FUNCTION shader.comp ...)
# The same for a set of shaders kept outside the library (the kernel lab's, dev/kernels/): built
# into GEN_DIR, listed by vkt::TABLE_FUNCTION(), found by name once passed to
# vkt::add_embedded_shaders(). Their file stems must differ from the library's.
function(vktrain_embed_shader_set OUT_VAR gen_dir table_function)
  file(MAKE_DIRECTORY ${gen_dir})
  set(outputs "")
  set(decls "")
  set(entries "")
  foreach(src ${ARGN})
    get_filename_component(stem ${src} NAME_WE)
    set(spv ${gen_dir}/${stem}.spv)
    set(cpp ${gen_dir}/${stem}.spv.cpp)
    set(dep ${gen_dir}/${stem}.spv.d)
    add_custom_command(
      OUTPUT ${spv}
      COMMAND ${CMAKE_COMMAND} -DGLSLANG=${GLSLANG_VALIDATOR} -DSPIRV_VAL=${SPIRV_VAL} -DSRC=${src} -DSPV=${spv}
              -DDEP=${dep} -DINCLUDE=${CMAKE_SOURCE_DIR}/shaders -P ${CMAKE_SOURCE_DIR}/cmake/CompileShader.cmake
      DEPENDS ${src} ${CMAKE_SOURCE_DIR}/cmake/CompileShader.cmake
      DEPFILE ${dep}
      COMMENT "Compiling shader ${stem}.comp"
      VERBATIM)
    add_custom_command(
      OUTPUT ${cpp}
      COMMAND ${CMAKE_COMMAND} -DIN=${spv} -DOUT=${cpp} -DNAME=${stem} -P ${CMAKE_SOURCE_DIR}/cmake/SpvToCpp.cmake
      DEPENDS ${spv} ${CMAKE_SOURCE_DIR}/cmake/SpvToCpp.cmake
      VERBATIM)
    list(APPEND outputs ${cpp})
    string(APPEND decls "extern const uint32_t spv_${stem}[];\nextern const size_t spv_${stem}_words;\n")
    string(APPEND entries "    {\"${stem}\", std::span<const uint32_t>(spv_${stem}, spv_${stem}_words)},\n")
  endforeach()
  configure_file(${CMAKE_SOURCE_DIR}/cmake/shader_table.cpp.in ${gen_dir}/shader_table.cpp @ONLY)
  list(APPEND outputs ${gen_dir}/shader_table.cpp)
  set(${OUT_VAR} ${outputs} PARENT_SCOPE)
endfunction()
