{
  "targets": [
    {
      "target_name": "course_blas",
      "sources": ["src/course_blas.c"],
      "cflags": ["-O3", "-fno-math-errno", "-ffp-contract=off", "-std=c11", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8", "COURSE_BLAS_BUILD_ID=\"<!(node build-id.js)\""],
      "libraries": ["-lopenblas"]
    }
  ]
}
